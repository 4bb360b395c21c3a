import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { startServer } from './app.factory.js';
import { createLogger } from './common/logger.js';
import { ConfigError, loadConfig } from './config/config.js';

/** `node server/dist/main.js`: validate the environment, then serve. */
async function main() {
  let config;
  try {
    config = loadConfig(process.env, { dashboardDir: fileURLToPath(new URL('../../dashboard/dist', import.meta.url)) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`zhuyun: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const { app, url } = await startServer(config, { logger: log });
  app.enableShutdownHooks();
  const shown = config.host === '0.0.0.0' || config.host === '::' ? url.replace('127.0.0.1', 'localhost') : url;
  log.info({ url: shown, dataDir: config.dataDir, tsdb: config.tsdb, simulate: config.simulate }, `筑云 Zhuyun listening on ${shown}`);
}

main().catch((err) => {
  console.error('zhuyun: failed to start:', err);
  process.exit(1);
});
