import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's influxd (package `influxdb`, 1.6.x); INFLUXD_PATH points elsewhere. */
export const INFLUXD = process.env.INFLUXD_PATH ?? 'influxd';

/**
 * Whether InfluxDB tests can run here. Outside CI a missing influxd is said loudly and the suite
 * skips; under CI=true it is a failure (the suite runs and fails when it starts influxd).
 */
export function influxdAvailable(): boolean {
  const r = spawnSync(INFLUXD, ['version'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env.CI === 'true') return true; // let the start fail: a missing influxd is a red run in CI
  console.warn(`\n*** ${INFLUXD} not found: InfluxDB tests need Debian's influxdb (apt-get install -y influxdb) and are skipped ***\n`);
  return false;
}

export interface Influxd {
  /** `http://127.0.0.1:<port>`, no database. */
  url: string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s); data stays for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when `/ping` answers 204. */
  start(): Promise<void>;
  /** kill -9; data stays. */
  kill(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/** A port nobody listens on now: listen on 0, read it, close. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Two distinct free ports (HTTP, and the RPC bind-address that defaults to 8088). */
async function twoFreePorts(): Promise<[number, number]> {
  for (;;) {
    const a = await freePort();
    const b = await freePort();
    if (a !== b) return [a, b];
  }
}

function config(dir: string, httpPort: number, rpcPort: number): string {
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

async function pingOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * A real influxd for one test file: free ports on 127.0.0.1, a temp dir with meta/data/wal and a
 * generated config. Resolves when `/ping` answers 204.
 */
export async function startInfluxd(): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-influxd-'));
  for (const d of ['meta', 'data', 'wal']) mkdirSync(join(dir, d));
  const [httpPort, rpcPort] = await twoFreePorts();
  const confPath = join(dir, 'influxdb.conf');
  writeFileSync(confPath, config(dir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  /** The last of influxd's output (it logs warnings and errors only), for failure messages. */
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString('utf8')).slice(-8000);
  };

  const start = async () => {
    if (child && !exited(child)) return;
    const c = spawn(INFLUXD, ['run', '-config', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    const spawnError = new Promise<Error>((resolve) => c.once('error', resolve));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const err = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 50))]);
      if (err) throw new Error(`${INFLUXD} did not start: ${err.message} (apt-get install -y influxdb)`);
      if (exited(c)) throw new Error(`${INFLUXD} exited with ${c.exitCode ?? c.signalCode}:\n${output}`);
      if (await pingOk(url)) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`${INFLUXD} did not answer /ping on ${url} within 20 s:\n${output}`);
      }
    }
  };

  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || exited(c)) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
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

/** A database name no other test uses: `zhuyun_test_<pid>_<random>`. */
export function freshDatabaseName(prefix = 'zhuyun_test'): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs InfluxQL against `url` and returns the parsed JSON (epoch ms); throws on any error. */
export async function influxQuery(url: string, q: string, db?: string): Promise<InfluxQueryResult[]> {
  const params = new URLSearchParams({ q, epoch: 'ms' });
  if (db) params.set('db', db);
  const res = await fetch(`${url}/query`, { method: 'POST', body: params });
  const body = (await res.json()) as { results?: InfluxQueryResult[]; error?: string };
  if (!res.ok || body.error) throw new Error(`InfluxDB ${res.status}: ${body.error ?? JSON.stringify(body)}`);
  for (const r of body.results ?? []) if (r.error) throw new Error(`InfluxQL: ${r.error} (${q})`);
  return body.results ?? [];
}

export interface InfluxQueryResult {
  statement_id: number;
  error?: string;
  series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
}
