// Ingest throughput: points/s through POST /api/v1/ingest of one server process
// (node server/dist/main.js), into the embedded SQLite store and into InfluxDB 1.x, each against
// its bound measured in the same run:
// - SQLite's own prepared-insert rate into the same table layout (no HTTP, JSON, validation, rollups);
// - the same points written straight to InfluxDB's own /write (line protocol, same batch size).
//
//   npm run build:node && node bench/ingest.bench.mjs [--points 1000000] [--batch 5000] [--concurrency 4] [--no-influx]
//
// Prints one line per figure and a JSON summary. Nothing here asserts: the figures go in
// docs/BENCHMARKS.md with the command that produced them.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnServer } from '../scripts/spawn-server.mjs';
import { startInfluxd } from '../scripts/influxd.mjs';
import { CACHE_KIB } from '../server/dist/storage/sqlite/sqlite.time-series.store.js';
import { InfluxTimeSeriesStore } from '../server/dist/storage/influx/influx.time-series.store.js';

const { values: opt } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '4' },
    series: { type: 'string', default: '2000' },
    'no-influx': { type: 'boolean', default: false },
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

async function viaHttp(dataDir, batches, extraEnv = {}) {
  const env = { ...process.env, ZHUYUN_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ZHUYUN_SIMULATE: '0', ...extraEnv };
  const token = execFileSync('node', [join(root, 'server/dist/cli.js'), 'collector', 'add', 'bench', '--district', '520103', '--units', '*'], { env, encoding: 'utf8' })
    .trim().split('\n').at(-1);
  const { url, child: server } = await spawnServer({ ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ZHUYUN_INGEST_RATE: '1000000', ...extraEnv });
  let next = 0;
  let accepted = 0;
  let retried = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const post = () =>
          fetch(`${url}/api/v1/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
          });
        // A kept-alive connection the server closes just as a request goes out (ECONNRESET, seen on
        // a loaded machine) is sent again, as a collector does: same batch id, stored once.
        const res = await post().catch((err) => {
          if (err.cause?.code !== 'ECONNRESET') throw err;
          retried++;
          return post();
        });
        const r = await res.json();
        if (res.status !== 202 || r.rejected.length) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(r).slice(0, 300)}`);
        accepted += r.accepted;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  return { points: accepted, seconds, rate: accepted / seconds, retried };
}

/** The adapter alone (no HTTP, no JSON): validated points written through to InfluxDB. */
async function influxAdapter(url, dataDir, batches) {
  const store = new InfluxTimeSeriesStore({ url, database: 'bench_adapter', outboxPath: join(dataDir, 'outbox.sqlite') });
  const all = batches.map((b) => JSON.parse(b).points.map((p) => ({ ...p, tags: { ...p.tags, unit: p.tags.district } })));
  await store.write(all[0].slice(0, 1)); // creates the database, retention policies and queries
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < all.length) await store.write(all[next++]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const health = await store.health();
  await store.close();
  if (!health.ok || health.backlog) throw new Error(`adapter not healthy after the run: ${JSON.stringify(health)}`);
  return { points: TOTAL, seconds, rate: TOTAL / seconds };
}

/** The InfluxDB bound: the same points as line protocol, straight to influxd's /write. */
async function influxBound(url, db, batches) {
  await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${db}` }) });
  const bodies = batches.map((b) =>
    JSON.parse(b).points.map((p) => `${p.metric},district=${p.tags.district},node=${p.tags.node},unit=${p.tags.district} value=${p.value} ${p.ts}`).join('\n'),
  );
  let next = 0;
  let written = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const res = await fetch(`${url}/write?db=${db}&precision=ms`, { method: 'POST', body: bodies[i] });
        if (res.status !== 204) throw new Error(`influx /write ${res.status}: ${await res.text()}`);
        written += BATCH;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { points: Math.min(written, TOTAL), seconds, rate: Math.min(written, TOTAL) / seconds };
}

/** The bound: the same table layout and settings, a prepared insert in 5,000-row transactions, nothing else. */
function sqliteBound(dataDir) {
  const db = new Database(join(dataDir, 'bound.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${CACHE_KIB}`); // the store's own settings, so the bound is the same engine
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

const fmt = (r) => `${Math.round(r.rate).toLocaleString('en')} points/s  (${r.points} points, ${r.seconds.toFixed(2)} s)`;
const dir = mkdtempSync(join(tmpdir(), 'zhuyun-bench-'));
const summary = { bench: 'ingest', total: TOTAL, batch: BATCH, concurrency: CONC, series: SERIES };
try {
  // Timestamps within the last hours, so none is refused as too old.
  const batches = makeBatches(Date.now() - Math.ceil(TOTAL / SERIES) * 1000 - 60_000);
  summary.sqliteBound = sqliteBound(dir);
  console.log(`sqlite prepared insert (bound):    ${fmt(summary.sqliteBound)}`);
  summary.sqlite = await viaHttp(join(dir, 'sqlite'), batches);
  console.log(`HTTP ingest → SQLite (server):     ${fmt(summary.sqlite)}  batch ${BATCH}, concurrency ${CONC}`);
  console.log(`  ratio server / SQLite bound:     ${(summary.sqlite.rate / summary.sqliteBound.rate).toFixed(2)}`);
  if (!opt['no-influx']) {
    const influxd = await startInfluxd();
    try {
      summary.influxBound = await influxBound(influxd.url, 'bench_bound', batches);
      console.log(`InfluxDB's own /write (bound):     ${fmt(summary.influxBound)}`);
      summary.influxAdapter = await influxAdapter(influxd.url, dir, batches);
      console.log(`adapter → InfluxDB (no HTTP/JSON):  ${fmt(summary.influxAdapter)}`);
      console.log(`  ratio adapter / InfluxDB bound:  ${(summary.influxAdapter.rate / summary.influxBound.rate).toFixed(2)}`);
      summary.influx = await viaHttp(join(dir, 'influx'), batches, { ZHUYUN_TSDB: 'influx', INFLUX_URL: `${influxd.url}/bench_zhuyun` });
      console.log(`HTTP ingest → InfluxDB (server):   ${fmt(summary.influx)}`);
      console.log(`  ratio server / InfluxDB bound:   ${(summary.influx.rate / summary.influxBound.rate).toFixed(2)}`);
    } finally {
      await influxd.destroy();
    }
  }
  console.log(JSON.stringify(summary));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
