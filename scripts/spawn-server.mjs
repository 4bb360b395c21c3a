// The built server as its own process (`node server/dist/main.js`) on a free port, for tests that
// must kill it the hard way and for benchmarks that measure it from outside. Plain JavaScript so
// that both can load it; types in spawn-server.d.mts.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts the server with `env` on top of this process's environment (PORT=0, 127.0.0.1, no
 * simulation unless asked) and resolves with the URL read from its start-up log line. `nodeArgs`: options
 * for node itself (e.g. `--cpu-prof`, which NODE_OPTIONS does not take).
 */
export async function spawnServer(env = {}, nodeArgs = []) {
  const child = spawn('node', [...nodeArgs, join(root, 'server/dist/main.js')], {
    // A simulating test or benchmark gets the small fleet (4 nodes per unit) unless it (or the shell:
    // `ZHUYUN_SIMULATE_FLEET=city node bench/memory.bench.mjs`) asks for the city. Nor does it fill the
    // demo's two months of history (a minute of CPU that would land in a steady-state measurement)
    // unless it asks for that.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ZHUYUN_SIMULATE: '0',
      ZHUYUN_SIMULATE_FLEET: process.env.ZHUYUN_SIMULATE_FLEET ?? 'small',
      ZHUYUN_SIMULATE_HISTORY: process.env.ZHUYUN_SIMULATE_HISTORY ?? '0',
      ...env,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise((resolve, reject) => {
    // 60 s: on a machine shared by several test runs a start can take 20 s; a server that does not
    // start is killed, not left behind.
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`server did not start:\n${out}`))), 60_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return { url, child, output: () => out };
}

/** SIGKILL, resolved once the process is gone. */
export function killHard(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * An admin session on a spawned server: creates a new admin account with the admin CLI against the
 * same storage (`env` as given to spawnServer), signs in, and resolves with the bearer token.
 */
export async function adminToken(url, env = {}) {
  const username = `admin-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  execFileSync('node', [join(root, 'server/dist/cli.js'), 'user', 'add', username, '--role', 'admin'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    input: password,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}
