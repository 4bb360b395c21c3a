// `npm start`: the server with the simulated city fleet (ZHUYUN_SIMULATE=1) unless it is set to 0.
// The build (`npm run build`) has run before this; the server reads its config from the environment.
process.env.ZHUYUN_SIMULATE ??= '1';
await import('../server/dist/main.js');
