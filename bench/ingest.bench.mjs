// Ingest throughput: points/s through POST /api/v1/ingest into the embedded SQLite store, from one
// server process (node server/dist/main.js), against the bound measured in the same run: SQLite's
// own prepared-insert rate into the same table layout (no HTTP, no JSON, no validation, no rollups).
//
//   npm run build:node && node bench/ingest.bench.mjs [--points 1000000] [--batch 5000] [--concurrency 4]
//
// Prints one line per figure and a JSON summary. Nothing here asserts: the figures go in
// docs/BENCHMARKS.md with the command that produced them.
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '4' },
    series: { type: 'string', default: '2000' },
  },
});
const TOTAL = Number(opt.points);
const BATCH = Number(opt.batch);
const CONC = Number(opt.concurrency);
const SERIES = Number(opt.series);
const root = new URL('..', import.meta.url).pathname;
const DISTRICTS = ['520102', '520103', '520111', '520112', '520113', '520115', '520121', '520122', '520123', '520181'];
const METRICS = ['net.latency_ms', 'net.loss_pct', 'net.jitter_ms', 'net.if_in_bps', 'net.if_out_bps'];

/** A city-shaped stream: SERIES series (node × metric), one point per series per second. */
function makeBatches(t0) {
  const batches = [];
  let n = 0;
  for (let b = 0; n < TOTAL; b++) {
    const points = [];
    for (let i = 0; i < BATCH && n < TOTAL; i++, n++) {
      const s = n % SERIES;
      const node = Math.floor(s / METRICS.length);
      points.push({
        metric: METRICS[s % METRICS.length],
        ts: t0 + Math.floor(n / SERIES) * 1000,
        value: (n * 7919) % 1000 / 10,
        tags: { district: DISTRICTS[node % DISTRICTS.length], node: `bench-${node}` },
      });
    }
    batches.push(JSON.stringify({ collector: 'bench', batch: `bench:${b}`, points }));
  }
  return batches;
}

async function viaHttp(dataDir) {
  const env = { ...process.env, ZHUYUN_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ZHUYUN_SIMULATE: '0' };
  const token = execFileSync('node', [join(root, 'server/dist/cli.js'), 'collector', 'add', 'bench', '--district', '520103'], { env, encoding: 'utf8' })
    .trim().split('\n').at(-1);
  const server = spawn('node', [join(root, 'server/dist/main.js')], { env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  // Timestamps within the last hours, so none is refused as too old.
  const batches = makeBatches(Date.now() - Math.ceil(TOTAL / SERIES) * 1000 - 60_000);
  let next = 0;
  let accepted = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const res = await fetch(`${url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        });
        const r = await res.json();
        if (res.status !== 202 || r.rejected.length) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(r).slice(0, 300)}`);
        accepted += r.accepted;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  server.kill('SIGTERM');
  return { points: accepted, seconds, rate: accepted / seconds };
}

/** The bound: the same table layout, a prepared insert in 5,000-row transactions, nothing else. */
function sqliteBound(dataDir) {
  const db = new Database(join(dataDir, 'bound.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE points (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID');
  const insert = db.prepare('INSERT OR IGNORE INTO points (series_id, ts, value) VALUES (?, ?, ?)');
  const tx = db.transaction((from, to) => {
    for (let n = from; n < to; n++) insert.run(n % SERIES, 1_800_000_000_000 + Math.floor(n / SERIES) * 1000, (n * 7919) % 1000 / 10);
  });
  const started = process.hrtime.bigint();
  for (let n = 0; n < TOTAL; n += 5000) tx(n, Math.min(TOTAL, n + 5000));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return { points: TOTAL, seconds, rate: TOTAL / seconds };
}

const dir = mkdtempSync(join(tmpdir(), 'zhuyun-bench-'));
try {
  const bound = sqliteBound(dir);
  console.log(`sqlite prepared insert (bound):  ${Math.round(bound.rate).toLocaleString('en')} points/s  (${bound.points} points, ${bound.seconds.toFixed(2)} s)`);
  const http = await viaHttp(dir);
  console.log(`HTTP ingest → SQLite (server):   ${Math.round(http.rate).toLocaleString('en')} points/s  (${http.points} points, ${http.seconds.toFixed(2)} s, batch ${BATCH}, concurrency ${CONC})`);
  console.log(`ratio server / bound:            ${(http.rate / bound.rate).toFixed(2)}`);
  console.log(JSON.stringify({ bench: 'ingest-sqlite', total: TOTAL, batch: BATCH, concurrency: CONC, series: SERIES, bound, http }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
