// Soak (issue 9): one server process (node server/dist/main.js, SQLite) under a steady ingest of
// `--rate` points/s (a collector in its own process, bench/lib/paced-sender.mjs: a batch every
// 100 ms over 100 nodes in the ten districts) with `--clients` socket.io clients (two load
// processes, bench/lib/live-load.mjs) subscribed to `overview` and `district:520103`, for
// `--minutes`. Checks, and prints:
// - memory: the server's RSS (from /proc) averaged over the first 15 s after the warm-up against
//   the last 15 s of the run: growth under `--max-growth` (10 %);
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
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
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
const collectorToken = execFileSync('node', [join(root, 'server/dist/cli.js'), 'collector', 'add', 'soak', '--district', '520103'], {
  env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .at(-1);
const { url, child, output } = await spawnServer(env);
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
  const rss = [];
  let resetDone = false;
  const timer = setInterval(() => {
    const t = (Date.now() - t0) / 1000;
    rss.push([Math.round(t), Math.round(procStat(child.pid).rssMb * 10) / 10]);
    if (!resetDone && t >= WARMUP) (resetDone = true), load.reset();
    if (rss.length % Math.max(1, Math.round(60 / SAMPLE)) === 0) console.log(`  ${Math.round(t)} s: server RSS ${rss.at(-1)[1]} MB, load avg ${machineLoad()}`);
  }, SAMPLE * 1000);
  const sent = await done;
  clearInterval(timer);
  await sleep(2_000); // the last frames
  const cpuS = procStat(child.pid).cpuS - cpu0;
  const frames = await load.report(); // the window after the warm-up
  const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const after = rss.filter(([t]) => t >= WARMUP && t < WARMUP + 15).map(([, mb]) => mb);
  const end = rss.filter(([t]) => t > SECONDS - 15).map(([, mb]) => mb);
  const rssAfterWarmup = after.length ? avg(after) : rss[0][1];
  const rssEnd = end.length ? avg(end) : rss.at(-1)[1];
  const errorLines = output().split('\n').filter((l) => /"level":(5|6)\d/.test(l));
  Object.assign(summary, {
    achieved: sent.batches.reduce((n, b) => n + b[2], 0) / sent.seconds,
    postsFailed: sent.errors,
    firstPostError: sent.firstError,
    batchesNotSent: sent.skipped,
    serverCpuPct: (100 * cpuS) / (SECONDS + 2),
    rssStartMb: rss[0][1],
    rssAfterWarmupMb: Math.round(rssAfterWarmup * 10) / 10,
    rssEndMb: Math.round(rssEnd * 10) / 10,
    rssMaxMb: Math.max(...rss.map(([, mb]) => mb)),
    growthPct: Math.round(((rssEnd - rssAfterWarmup) / rssAfterWarmup) * 1000) / 10,
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
      `RSS ${summary.rssStartMb} MB at start, ${summary.rssAfterWarmupMb} MB after warm-up, ${summary.rssEndMb} MB at the end (max ${summary.rssMaxMb}); ` +
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
  sender.kill('SIGKILL');
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(summary));
process.exit(exit);
