// Soak (issue 9): one server process (node server/dist/main.js, SQLite) under a steady ingest of
// `--rate` points/s (a collector in its own process, bench/lib/paced-sender.mjs: a batch every
// 100 ms over 100 nodes in the ten districts) with `--clients` socket.io clients (two load
// processes, bench/lib/live-load.mjs) subscribed to `overview` and `district:520103`, for
// `--minutes`. Checks, and prints:
// - memory: the server's RSS (from /proc) every `--sample-every` s. RSS saws up and down by tens
//   of MB as V8 collects garbage, so what is compared is its floor: the lowest RSS in the first
//   window after the warm-up against the lowest in the last window of the run (windows of 60 s, less
//   in short runs): growth under `--max-growth` (10 %). Beside it, through the server's inspector
//   (node --inspect on 127.0.0.1, read only: process.memoryUsage()), the V8 heap in use and the
//   rest (RSS − V8 heap − external: SQLite's page cache, up to 64 MiB for the points, and malloc),
//   to say where growth is;
// - no error logged by the server (its JSON log, level ≥ 50);
// - no frame lost: every client got frames, no gap in any topic's `seq` at any client, no client
//   disconnected;
// - the collector: no failed POST, the rate achieved.
// Exits 1 when a check fails. The last line is the JSON summary (test/faults/soak.spec.ts reads it).
//
//   npm run build:node && node bench/soak.mjs [--minutes 10] [--rate 20000] [--clients 500] [--warmup 60]
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { CACHE_KIB } from '../server/dist/storage/sqlite/sqlite.time-series.store.js';
import { machineLoad, procStat, sleep, startLoad } from './lib/measure.mjs';

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '60' },
    'max-growth': { type: 'string', default: '10' },
    'sample-every': { type: 'string', default: '5' },
  },
});
const SECONDS = Number(opt.minutes) * 60;
const WARMUP = Number(opt.warmup);
const SAMPLE = Number(opt['sample-every']);
const MAX_GROWTH = Number(opt['max-growth']);
const root = new URL('..', import.meta.url).pathname;
const TOPICS = ['overview', 'district:520103'];

const dir = mkdtempSync(join(tmpdir(), 'zhuyun-soak-'));
const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_INGEST_RATE: '1000000' };
const collectorToken = execFileSync('node', [join(root, 'server/dist/cli.js'), 'collector', 'add', 'soak', '--district', '520103', '--units', '*'], {
  env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .at(-1);
const { url, child, output } = await spawnServer(env, ['--inspect=127.0.0.1:0']);

/** The server's process.memoryUsage(), through its inspector (Runtime.evaluate). */
async function inspector() {
  let m;
  for (let i = 0; i < 50 && !(m = /Debugger listening on (ws:\/\/\S+)/.exec(output())); i++) await sleep(100);
  if (!m) return async () => null;
  const ws = new WebSocket(m[1]);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let id = 0;
  const waiting = new Map();
  ws.on('message', (d) => {
    const r = JSON.parse(d.toString());
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  const memory = async () => {
    const r = await new Promise((resolve) => {
      waiting.set(++id, resolve);
      ws.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true } }));
    });
    try {
      return JSON.parse(r.result.result.value);
    } catch {
      return null;
    }
  };
  memory.close = () => ws.close();
  return memory;
}
const memoryUsage = await inspector();
const sender = fork(join(root, 'bench/lib/paced-sender.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
let load;
const summary = { bench: 'soak', seconds: SECONDS, rate: Number(opt.rate), clients: Number(opt.clients), warmupS: WARMUP, loadAvgStart: machineLoad() };
let exit = 1;
try {
  const token = await adminToken(url, env);
  load = await startLoad({ url, token, clients: Number(opt.clients), topics: TOPICS, procs: 2 });
  if (load.failed) throw new Error(`${load.failed} clients failed to subscribe: ${load.errors.join('; ')}`);
  const done = new Promise((resolve) => sender.once('message', resolve));
  sender.send({ cmd: 'start', url, token: collectorToken, rate: Number(opt.rate), seconds: SECONDS, batchMs: 100, nodes: 100, collector: 'soak' });
  const t0 = Date.now();
  const cpu0 = procStat(child.pid).cpuS;
  /** [t s, RSS MB, V8 heap used MB, RSS − V8 heap total − external MB] */
  const rss = [];
  let resetDone = false;
  const mb = (b) => Math.round((b / 1048576) * 10) / 10;
  const timer = setInterval(async () => {
    const t = (Date.now() - t0) / 1000;
    const r = procStat(child.pid).rssMb;
    const m = await memoryUsage();
    rss.push([Math.round(t), Math.round(r * 10) / 10, m ? mb(m.heapUsed) : null, m ? Math.round((r - (m.heapTotal + m.external) / 1048576) * 10) / 10 : null]);
    if (!resetDone && t >= WARMUP) (resetDone = true), load.reset();
    if (rss.length % Math.max(1, Math.round(60 / SAMPLE)) === 0) console.log(`  ${Math.round(t)} s: server RSS ${rss.at(-1)[1]} MB (V8 heap used ${rss.at(-1)[2]} MB, other ${rss.at(-1)[3]} MB), load avg ${machineLoad()}`);
  }, SAMPLE * 1000);
  const sent = await done;
  clearInterval(timer);
  await sleep(2_000); // the last frames
  const cpuS = procStat(child.pid).cpuS - cpu0;
  const frames = await load.report(); // the window after the warm-up
  const WINDOW = Math.min(60, (SECONDS - WARMUP) / 3);
  const within = (from, to) => rss.filter(([t]) => t >= from && t < to);
  const floor = (rows, k = 1) => Math.min(...rows.map((r) => r[k]).filter((v) => v != null));
  const first = within(WARMUP, WARMUP + WINDOW);
  const last = within(SECONDS - WINDOW, Infinity);
  const rssAfterWarmup = floor(first);
  const rssEnd = floor(last);
  const growth = (a, b) => Math.round(((b - a) / a) * 1000) / 10;
  // The same from 5 minutes on, when the run is long enough (the SQLite page cache full by then, docs/RELIABILITY.md "Soak").
  const late = SECONDS >= 420 ? growth(floor(within(300, 300 + WINDOW)), rssEnd) : undefined;
  const errorLines = output().split('\n').filter((l) => /"level":(5|6)\d/.test(l));
  Object.assign(summary, {
    achieved: sent.batches.reduce((n, b) => n + b[2], 0) / sent.seconds,
    postsFailed: sent.errors,
    firstPostError: sent.firstError,
    batchesNotSent: sent.skipped,
    serverCpuPct: (100 * cpuS) / (SECONDS + 2),
    rssStartMb: rss[0][1],
    windowS: WINDOW,
    rssAfterWarmupMb: rssAfterWarmup,
    rssEndMb: rssEnd,
    rssMaxMb: Math.max(...rss.map((r) => r[1])),
    growthPct: growth(rssAfterWarmup, rssEnd),
    growthFrom300sPct: late,
    // The same growth less SQLite's page cache for the points (CACHE_KIB, 64 MiB), which fills as
    // the database grows during the first minutes: what the short run in CI bounds.
    growthBeyondCachePct: Math.round((Math.max(0, rssEnd - rssAfterWarmup - CACHE_KIB / 1024) / rssAfterWarmup) * 1000) / 10,
    heapUsedFloorAfterWarmupMb: floor(first, 2),
    heapUsedFloorEndMb: floor(last, 2),
    otherAfterWarmupMb: floor(first, 3),
    otherEndMb: floor(last, 3),
    framesAfterWarmup: frames.frames,
    framesPerClientPerS: frames.frames / frames.clients / frames.seconds,
    frameLagP50: frames.p50,
    frameLagP99: frames.p99,
    clientsOpen: frames.open,
    clientsWithoutFrames: frames.withoutFrames,
    minFramesPerClient: frames.minFrames,
    seqGaps: frames.totalGaps,
    framesLost: frames.totalLost,
    serverErrorLines: errorLines.length,
    firstErrorLine: errorLines[0]?.slice(0, 300),
    loadAvgEnd: machineLoad(),
    rss,
  });
  const checks = {
    [`memory growth ${summary.growthPct} % < ${MAX_GROWTH} %`]: summary.growthPct < MAX_GROWTH,
    [`server error lines: ${summary.serverErrorLines}`]: summary.serverErrorLines === 0,
    [`frames lost: ${summary.framesLost} (gaps ${summary.seqGaps})`]: summary.framesLost === 0 && summary.seqGaps === 0,
    [`clients without frames: ${summary.clientsWithoutFrames}, open ${summary.clientsOpen} of ${summary.clients}`]: summary.clientsWithoutFrames === 0 && summary.clientsOpen === summary.clients,
    [`failed POSTs: ${summary.postsFailed}`]: summary.postsFailed === 0,
  };
  summary.checks = checks;
  console.log(
    `soak ${SECONDS} s, ${summary.rate} points/s asked, ${Math.round(summary.achieved)} achieved (${summary.batchesNotSent} batches not sent), ${summary.clients} clients: ` +
      `RSS ${summary.rssStartMb} MB at start; floor ${summary.rssAfterWarmupMb} MB after warm-up, ${summary.rssEndMb} MB at the end (max ${summary.rssMaxMb}` +
      `${late === undefined ? '' : `; growth from 300 s on ${late} %`}; beyond the ${CACHE_KIB / 1024} MiB SQLite cache ${summary.growthBeyondCachePct} %); V8 heap used floor ${summary.heapUsedFloorAfterWarmupMb} → ${summary.heapUsedFloorEndMb} MB, ` +
      `other (SQLite cache, malloc) ${summary.otherAfterWarmupMb} → ${summary.otherEndMb} MB; ` +
      `server CPU ${summary.serverCpuPct.toFixed(0)} %; ${summary.framesAfterWarmup} frames after warm-up (${summary.framesPerClientPerS.toFixed(2)}/client/s, lag p50 ${summary.frameLagP50} ms, p99 ${summary.frameLagP99} ms); load avg ${summary.loadAvgStart} → ${summary.loadAvgEnd}`,
  );
  for (const [what, ok] of Object.entries(checks)) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (summary.firstErrorLine) console.log(`  first error line: ${summary.firstErrorLine}`);
  exit = Object.values(checks).every(Boolean) ? 0 : 1;
} catch (err) {
  summary.error = err.message;
  console.error(err);
} finally {
  await load?.stop();
  memoryUsage.close?.();
  sender.kill('SIGKILL');
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(summary));
process.exit(exit);
