// Helpers for the outage and spool tests (outage.spec.ts, spool.spec.ts): collector agents as
// real processes (`node collectors/dist/cli.js`), tokens from the admin CLI, counts read from the
// server's own SQLite files. Not a spec file: jest does not run it.
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { seriesKey, validatePoint, type RawPoint } from '@zhuyun/protocol';
import { repoRoot } from '../support/server.js';

/**
 * A port free right now on 127.0.0.1, for a server that must come back on the same one after an
 * outage. Taken below the kernel's ephemeral range (ip_local_port_range, 32768 up by default), not
 * from `listen(0)`: while the server is down, any other test's `listen(0)` or outgoing connection
 * could otherwise be handed that very port, and an agent connecting to it could even connect to
 * itself (a TCP self-connect). Ports below the range are only ever taken on purpose.
 */
export async function freePort(): Promise<number> {
  let low = 32_768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: keep the default
  }
  const from = Math.max(1_024, low - 12_000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (low - from));
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error(`no free port found in ${from}..${low - 1}`);
}

/** `npm run zhuyun -- collector add <id> --district <code>` (the built CLI): the token is the last line. */
export function addCollector(dataDir: string, id: string, district: string): string {
  const out = execFileSync('node', [join(repoRoot, 'server/dist/cli.js'), 'collector', 'add', id, '--district', district], {
    env: { ...process.env, ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  return out.trim().split('\n').at(-1)!;
}

export interface AgentSpec {
  id: string;
  /** The collector's district, and the one unit its simulate probe runs. */
  district: string;
  token: string;
  url: string;
  spoolDir: string;
  /** Where the config and the stats files go. */
  workDir: string;
  seed: number;
}

/** What `--stats-file` holds: AgentStats plus the points gathered per series key. */
export interface AgentRunStats {
  pointsCollected: number;
  pointsInvalid: number;
  pointsSent: number;
  pointsRejected: number;
  pointsDropped: number;
  dropped: Record<'rejected' | 'queue_full' | 'expired' | 'corrupt' | 'store_failed', { batches: number; points: number }>;
  pointsSelf: number;
  batchesSealed: number;
  batchesSent: number;
  batchesFailed: number;
  queueBatches: number;
  queuePoints: number;
  series: Record<string, number>;
}

export interface AgentProcess {
  child: ChildProcess;
  statsFile: string;
  output(): string;
  /** SIGTERM, then the exit code (the agent sends what it can for at most 5 s). */
  stop(): Promise<number | null>;
  /** SIGKILL: no last flush, no stats file. */
  kill(): Promise<void>;
  stats(): AgentRunStats;
}

/**
 * One agent: the simulate probe on its own unit (one core and one access node, no random faults),
 * collecting and flushing every 500 ms, heartbeat every 2 s, disk spool in `spoolDir`. `nodeArgs`
 * go before the script (e.g. `--import` of a module that skews the clock).
 */
export function startAgent(spec: AgentSpec, run: string, nodeArgs: string[] = []): AgentProcess {
  const config = join(spec.workDir, `${spec.id}.yaml`);
  const statsFile = join(spec.workDir, `${spec.id}.${run}.stats.json`);
  writeFileSync(
    config,
    [
      // A slow answer (a loaded CI machine) is a retry after back-off, not a failure: allow 5 s.
      `server: { url: "${spec.url}", token: "${spec.token}", timeout: 5s }`,
      `collector: { id: ${spec.id}, district: "${spec.district}", flush_interval: 500ms, heartbeat: 2s }`,
      `spool: { dir: "${spec.spoolDir}" }`,
      'probes:',
      `  - { type: simulate, interval: 500ms, units: ["${spec.district}"], access_nodes: 1, fault_rate: 0, seed: ${spec.seed} }`,
      '',
    ].join('\n'),
  );
  const child = spawn('node', [...nodeArgs, join(repoRoot, 'collectors/dist/cli.js'), '--config', config, '--stats-file', statsFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    statsFile,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stats: () => JSON.parse(readFileSync(statsFile, 'utf8')) as AgentRunStats,
  };
}

/** Batch files waiting in a spool directory. */
export function spoolFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.batch.gz'));
  } catch {
    return [];
  }
}

/** Points per series key in the spool's files, read as the agent would read them back. */
export function spoolSeries(dir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of spoolFiles(dir)) {
    const batch = JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString()) as { points: RawPoint[] };
    for (const p of batch.points) {
      const check = validatePoint(p, Date.now());
      if (!check.ok) throw new Error(`${file}: ${check.error}`);
      const key = seriesKey(check.point.metric, check.point.tags);
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

export function addCounts(...all: Array<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counts of all) for (const [k, n] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + n;
  return sum;
}

/** Stored points per series key of one unit, from `<data dir>/tsdb.sqlite`. */
export function storedSeries(dataDir: string, unit: string): Record<string, number> {
  const db = new Database(join(dataDir, 'tsdb.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT s.key AS key, COUNT(*) AS n FROM points p JOIN series s ON s.id = p.series_id WHERE s.unit = ? GROUP BY s.key')
      .all(unit) as Array<{ key: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.n]));
  } finally {
    db.close();
  }
}

/** The server's batch ledger for one collector: batch ids seen once each, and the points they stored. */
export function ledger(dataDir: string, collector: string): { batches: number; accepted: number } {
  const db = new Database(join(dataDir, 'zhuyun.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT COUNT(*) AS batches, COALESCE(SUM(accepted), 0) AS accepted FROM ingest_batches WHERE collector = ?').get(collector) as {
      batches: number;
      accepted: number;
    };
    return { batches: Number(row.batches), accepted: Number(row.accepted) };
  } finally {
    db.close();
  }
}

/** Polls `check` every 100 ms until it holds; throws, naming `what`, past the deadline. */
export async function until(what: string, check: () => boolean, ms: number, context: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
