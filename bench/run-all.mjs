// `npm run bench`: every benchmark with its default sizes, one after the other (they share two
// cores: never in parallel), then a summary of the headline figures. Needs the build
// (`npm run build`: the server for all, the dashboard for bundle-size and dashboard-load).
// Redis (REDIS_URL, default redis://127.0.0.1:6379) for cluster-points: skipped when not reachable.
// The soak (bench/soak.mjs, 10 minutes) is not part of it. Each bench's full output goes to the
// terminal as it runs; `--only fanout,memory` runs a subset.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { machineLoad } from './lib/measure.mjs';

const { values: opt } = parseArgs({ options: { only: { type: 'string' } } });
const root = new URL('..', import.meta.url).pathname;

const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const redisUp = await new Promise((resolve) => {
  const s = connect(Number(redisUrl.port || 6379), redisUrl.hostname);
  s.once('connect', () => (s.destroy(), resolve(true)));
  s.once('error', () => resolve(false));
});

const f0 = (n) => (n == null ? '–' : Math.round(n).toLocaleString('en'));
const BENCHES = [
  {
    name: 'ingest',
    args: ['bench/ingest.bench.mjs', '--points', '500000'],
    headline: (j) =>
      `SQLite: ${f0(j.sqlite.rate)} points/s (bound ${f0(j.sqliteBound.rate)}); InfluxDB: ${j.influx ? `${f0(j.influx.rate)} points/s (bound /write ${f0(j.influxBound.rate)})` : 'skipped'}`,
  },
  {
    name: 'query',
    args: ['bench/query.bench.mjs', '--days', '30'],
    headline: (j) => Object.entries(j.results).map(([range, r]) => `${range}: median ${r.medianMs?.toFixed(1)} ms, p95 ${r.p95Ms?.toFixed(1)} ms`).join('; '),
  },
  {
    name: 'cluster-points',
    args: ['bench/cluster-points.bench.mjs'],
    skip: redisUp ? undefined : `Redis not reachable at ${redisUrl.host}`,
    headline: null,
    pick: /end to end/,
  },
  { name: 'live-latency', args: ['bench/live-latency.bench.mjs'], headline: (j) => j.runs.map((r) => `${f0(r.rate)}/s (achieved ${f0(r.achieved)}): p50 ${r.p50} ms, p99 ${r.p99} ms`).join('; ') },
  {
    name: 'fanout',
    args: ['bench/fanout.bench.mjs'],
    headline: (j) => j.runs.filter((r) => r.clients > 1).map((r) => `${r.clients} clients: p99 ${r.p99} ms, CPU ${f0(r.serverCpuPct)} %, RSS ${f0(r.rssEndMb)} MB`).join('; '),
  },
  { name: 'bundle-size', args: ['bench/bundle-size.mjs'], headline: null, pick: /^\s+total/ },
  {
    name: 'dashboard-load',
    args: ['bench/dashboard-load.bench.mjs'],
    headline: (j) => `map drawn ${j.mapDrawnMedianMs} ms, map live ${j.mapLiveMedianMs} ms (median of ${j.runs}); first view ${j.firstViewShippedGzipKb} KB gzip`,
  },
  { name: 'memory', args: ['bench/memory.bench.mjs'], headline: (j) => `RSS ${j.rssStartMb} → ${j.rssEndMb} MB over ${j.seconds} s with ${j.clients} clients (max ${j.rssMaxMb}, ${j.slopeMbPerMin} MB/min after 1 min)` },
];

function run(args) {
  return new Promise((resolve) => {
    const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (process.stdout.write(d), (out += d)));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const only = opt.only?.split(',');
const results = [];
const t0 = Date.now();
for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  if (b.skip) {
    results.push({ name: b.name, line: `skipped: ${b.skip}` });
    continue;
  }
  console.log(`\n=== ${b.name}: node ${b.args.join(' ')}  (load avg ${machineLoad()})`);
  const s = Date.now();
  const { code, out } = await run(b.args);
  const seconds = (Date.now() - s) / 1000;
  const json = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  let line;
  try {
    line = b.headline ? b.headline(JSON.parse(json)) : out.split('\n').find((l) => b.pick.test(l))?.trim();
  } catch {
    line = out.trim().split('\n').at(-1);
  }
  results.push({ name: b.name, line: `${code ? `FAILED (exit ${code}) ` : ''}${line}`, seconds });
}
console.log(`\n=== summary (${((Date.now() - t0) / 60000).toFixed(1)} min in all; load avg now ${machineLoad()})`);
for (const r of results) console.log(`${r.name.padEnd(15)} ${r.seconds ? `${r.seconds.toFixed(0).padStart(4)} s` : '      '}  ${r.line}`);
process.exit(results.some((r) => r.line.startsWith('FAILED')) ? 1 : 0);
