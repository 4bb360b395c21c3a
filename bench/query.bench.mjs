// Query latency: one district's latency over 30 days and over 1 year at automatic step, through
// GET /api/v1/series of a real server (node server/dist/main.js), with 30 days of the whole
// simulated city loaded (14 units × 4 nodes × latency, loss, jitter, one point a minute).
//
//   npm run build:node && node bench/query.bench.mjs [--days 30] [--runs 50]
//
// Loads through the SQLite store itself (the load rate is printed too), then times queries.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { UNITS } from '../protocol/dist/index.js';
import { SqliteTimeSeriesStore } from '../server/dist/storage/sqlite/sqlite.time-series.store.js';

const { values: opt } = parseArgs({ options: { days: { type: 'string', default: '30' }, runs: { type: 'string', default: '50' } } });
const DAYS = Number(opt.days);
const RUNS = Number(opt.runs);
const root = new URL('..', import.meta.url).pathname;
const MIN = 60_000;
const METRICS = ['net.latency_ms', 'net.loss_pct', 'net.jitter_ms'];

const dir = mkdtempSync(join(tmpdir(), 'zhuyun-qbench-'));
try {
  const store = new SqliteTimeSeriesStore(join(dir, 'tsdb.sqlite'));
  const end = Math.floor(Date.now() / MIN) * MIN;
  const start = end - DAYS * 86_400_000;
  const nodes = UNITS.flatMap((u) => ['core-1', 'acc-1', 'acc-2', 'acc-3'].map((n) => ({ unit: u, node: `${u.code}-${n}` })));
  let loaded = 0;
  const t0 = process.hrtime.bigint();
  // An hour of the whole city per write.
  for (let h = start; h < end; h += 60 * MIN) {
    const points = [];
    for (let ts = h; ts < Math.min(end, h + 60 * MIN); ts += MIN) {
      for (const { unit, node } of nodes) {
        const tags = { district: unit.hostDistrict ?? unit.code, unit: unit.code, node };
        for (const metric of METRICS) points.push({ metric, ts, value: (ts / MIN + node.length) % 17, tags });
      }
    }
    await store.write(points);
    loaded += points.length;
  }
  await store.close(); // merges the rollups
  const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`loaded ${loaded.toLocaleString('en')} points (${nodes.length * METRICS.length} series × ${DAYS} days at 1/min) in ${loadS.toFixed(1)} s: ${Math.round(loaded / loadS).toLocaleString('en')} points/s`);

  const { url, child: server } = await spawnServer({ ZHUYUN_DATA_DIR: dir });
  const auth = { headers: { authorization: `Bearer ${await adminToken(url, { ZHUYUN_DATA_DIR: dir })}` } };
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const results = {};
  for (const [name, span] of [['30 days', 30 * 86_400_000], ['1 year', 365 * 86_400_000]]) {
    const q = `${url}/api/v1/series?metric=net.latency_ms&district=520103&from=${end - span}&to=${end}`;
    const times = [];
    let step;
    let points = 0;
    for (let i = 0; i < RUNS + 3; i++) {
      const t = process.hrtime.bigint();
      const body = await (await fetch(q, auth)).json();
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (i >= 3) times.push(ms); // three warm-up runs
      step = body.step;
      points = body.series.reduce((a, s) => a + s.points.length, 0);
    }
    results[name] = { step, series: 4, points, medianMs: median(times), p95Ms: [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)] };
    console.log(`district 520103 latency over ${name}: step ${step}, ${points} points, median ${median(times).toFixed(2)} ms, p95 ${results[name].p95Ms.toFixed(2)} ms (${RUNS} runs)`);
  }
  server.kill('SIGTERM');
  console.log(JSON.stringify({ bench: 'query-sqlite', days: DAYS, loaded, loadPointsPerS: Math.round(loaded / loadS), results }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
