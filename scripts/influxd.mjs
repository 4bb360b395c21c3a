// A real influxd (Debian's `influxdb`, 1.6.x) on free ports of 127.0.0.1 with a temp data dir,
// for the tests (test/support/influxd.ts) and the benchmarks (bench/). Plain JavaScript so that
// both can load it; its types are in influxd.d.mts.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's influxd (package `influxdb`, 1.6.x); INFLUXD_PATH points elsewhere. */
export const INFLUXD = process.env.INFLUXD_PATH ?? 'influxd';

/** A port nobody listens on now: listen on 0, read it, close. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Two distinct free ports (HTTP, and the RPC bind-address that defaults to 8088). */
async function twoFreePorts() {
  for (;;) {
    const a = await freePort();
    const b = await freePort();
    if (a !== b) return [a, b];
  }
}

function config(dir, httpPort, rpcPort) {
  // Only what a test needs: HTTP on loopback, no auth, no UDP/graphite/collectd/opentsdb listeners
  // (none is configured), no usage reporting, no _internal monitor database, quiet logs.
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${dir}/meta"
  logging-enabled = false

[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  trace-logging-enabled = false

[retention]
  enabled = true
  check-interval = "30m"

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  write-tracing = false
  pprof-enabled = false
  max-row-limit = 0

[logging]
  level = "warn"
  suppress-logo = true

[continuous_queries]
  enabled = true
  log-enabled = false
  run-interval = "1s"
`;
}

async function pingOk(url) {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * A real influxd for one test file: free ports on 127.0.0.1, a temp dir with meta/data/wal and a
 * generated config. Resolves when `/ping` answers 204.
 */
export async function startInfluxd() {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-influxd-'));
  for (const d of ['meta', 'data', 'wal']) mkdirSync(join(dir, d));
  const [httpPort, rpcPort] = await twoFreePorts();
  const confPath = join(dir, 'influxdb.conf');
  writeFileSync(confPath, config(dir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child;
  /** The last of influxd's output (it logs warnings and errors only), for failure messages. */
  let output = '';
  const keep = (d) => {
    output = (output + d.toString('utf8')).slice(-8000);
  };

  const start = async () => {
    if (child && !exited(child)) return;
    const c = spawn(INFLUXD, ['run', '-config', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout.on('data', keep);
    c.stderr.on('data', keep);
    const spawnError = new Promise((resolve) => c.once('error', resolve));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const err = await Promise.race([spawnError, new Promise((r) => setTimeout(r, 50))]);
      if (err) throw new Error(`${INFLUXD} did not start: ${err.message} (apt-get install -y influxdb)`);
      if (exited(c)) throw new Error(`${INFLUXD} exited with ${c.exitCode ?? c.signalCode}:\n${output}`);
      if (await pingOk(url)) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`${INFLUXD} did not answer /ping on ${url} within 20 s:\n${output}`);
      }
    }
  };

  const halt = async (signal) => {
    const c = child;
    if (!c || exited(c)) return;
    const gone = new Promise((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    start,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    async destroy() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
