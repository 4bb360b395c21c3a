// Fan-out: 500, 1,000 and 2,000 socket.io clients on /live, each subscribed to `overview` and
// `district:520103`, against one server process (node server/dist/main.js) running the simulated
// city (ZHUYUN_SIMULATE=1: 15 collectors reporting every second, so both topics change every
// second). The clients live in two load processes (bench/lib/live-load.mjs), so the server's
// CPU and RSS (from /proc of its pid) are its own.
//
// Frame lag: a frame's server stamp (`ts`, taken when the one-second tick computes it) to its
// receipt by a client, over every frame every client received in the window. The bound, measured
// in the same run: the same two topics with ONE client (what the tick and socket.io cost when
// there is no fan-out). Goal (issue 9): 2,000 clients at p99 < 250 ms.
//
//   npm run build:node && node bench/fanout.bench.mjs [--sizes 500,1000,2000] [--seconds 20] [--procs 2]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { machineLoad, sampleProcess, sleep, startLoad } from './lib/measure.mjs';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500,1000,2000' },
    seconds: { type: 'string', default: '20' },
    procs: { type: 'string', default: '2' },
    topics: { type: 'string', default: 'overview,district:520103' },
    'cpu-prof': { type: 'string' },
  },
});
const SIZES = opt.sizes.split(',').map(Number);
const SECONDS = Number(opt.seconds);
const TOPICS = opt.topics.split(',');

async function run(clients) {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-fanout-'));
  const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_SIMULATE: '1' };
  // --cpu-prof DIR: a V8 CPU profile of the server per size (written when it exits on SIGTERM)
  const prof = opt['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opt['cpu-prof']}`, `--cpu-prof-name=server-${clients}.cpuprofile`] : [];
  const { url, child, output } = await spawnServer(env, prof);
  try {
    const token = await adminToken(url, env);
    const connectStart = Date.now();
    const load = await startLoad({ url, token, clients, topics: TOPICS, procs: clients === 1 ? 1 : Number(opt.procs) });
    const connectS = (Date.now() - connectStart) / 1000;
    if (load.failed) throw new Error(`${load.failed} of ${clients} clients failed to subscribe: ${load.errors.join('; ')}`);
    await sleep(5_000); // warm-up: the first snapshot-to-frame seconds and JIT
    load.reset();
    const sampler = sampleProcess(child.pid);
    const loadSamplers = load.pids.map((pid) => sampleProcess(pid));
    const loadBefore = machineLoad();
    await sleep(SECONDS * 1000);
    const proc = sampler.stop();
    const loadCpuPct = loadSamplers.map((s) => s.stop().cpuPct);
    const r = await load.report();
    await load.stop();
    const errors = output().split('\n').filter((l) => /"level":(5|6)\d/.test(l));
    return {
      clients,
      connectS,
      framesPerClientPerS: r.frames / r.clients / r.seconds,
      frames: r.frames,
      mbPerS: r.bytes / 1e6 / r.seconds,
      p50: r.p50,
      p99: r.p99,
      max: r.max,
      gaps: r.gaps,
      lost: r.lost,
      withoutFrames: r.withoutFrames,
      open: r.open,
      serverCpuPct: proc.cpuPct,
      loadCpuPct,
      rssStartMb: proc.rssStartMb,
      rssEndMb: proc.rssEndMb,
      rssMaxMb: proc.rssMaxMb,
      serverErrors: errors.length,
      load: `${loadBefore} → ${machineLoad()}`,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const summary = { bench: 'fanout', seconds: SECONDS, topics: TOPICS, runs: [] };
const line = (r) =>
  `${String(r.clients).padStart(5)} clients: frame lag p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; ` +
  `${r.framesPerClientPerS.toFixed(2)} frames/client/s (${Math.round(r.frames / SECONDS)} frames/s, ${r.mbPerS.toFixed(1)} MB/s), ` +
  `lost ${r.lost}, clients without frames ${r.withoutFrames}; server CPU ${r.serverCpuPct.toFixed(0)} % (load processes ${r.loadCpuPct.map((c) => c.toFixed(0)).join(' + ')} %), ` +
  `RSS ${r.rssStartMb.toFixed(0)} → ${r.rssEndMb.toFixed(0)} MB (max ${r.rssMaxMb.toFixed(0)}); connect ${r.connectS.toFixed(1)} s; load avg ${r.load}`;
for (const n of [1, ...SIZES]) {
  const r = await run(n);
  summary.runs.push(r);
  console.log((n === 1 ? '(bound) ' : '') + line(r));
}
const biggest = summary.runs.at(-1);
console.log(`goal 2,000 clients p99 < 250 ms: ${biggest.clients >= 2000 ? (biggest.p99 < 250 ? 'met' : 'not met') : 'not measured'} (p99 ${biggest.p99} ms at ${biggest.clients})`);
console.log(JSON.stringify(summary));
