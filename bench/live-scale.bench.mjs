// The live feed at the city's scale (issue 14): the simulated real city (ZHUYUN_SIMULATE_FLEET=city,
// 1,840 nodes) and the city grown to 10,000 nodes (city-10k), each with delta frames (the default)
// and with whole frames (ZHUYUN_LIVE_WHOLE_FRAMES=1, the frames before issue 14). Per fleet and
// mode one server process (node server/dist/main.js); after a warm-up that lets every village
// report, it prints:
//   - idle: the server's CPU % and RSS with no client (the fleet's ingest), and that per 1,000 nodes;
//   - per client count (1 = the bound, then --sizes), clients subscribed to `overview` and the
//     largest district (district:520181, 清镇): bytes/s per client for each topic in steady state
//     (frames only, after the snapshot), frame lag p50/p99 (server stamp `ts` to receipt), server
//     CPU % and RSS, and the machine's load average (2 cores shared with other work).
// Clients are bench/lib/live-load.mjs processes (bare WebSockets that read only a frame's head).
//
//   npm run build:node && node bench/live-scale.bench.mjs [--fleets city,city-10k] [--modes delta,whole]
//     [--sizes 500,1000,2000] [--seconds 15] [--warmup 25] [--procs 2]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { machineLoad, sampleProcess, sleep, startLoad } from './lib/measure.mjs';

const { values: opt } = parseArgs({
  options: {
    fleets: { type: 'string', default: 'city,city-10k' },
    modes: { type: 'string', default: 'delta,whole' },
    sizes: { type: 'string', default: '500,1000,2000' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '25' },
    procs: { type: 'string', default: '2' },
    district: { type: 'string', default: 'district:520181' },
  },
});
const SECONDS = Number(opt.seconds);
const SIZES = opt.sizes.split(',').filter(Boolean).map(Number);
const TOPICS = ['overview', opt.district];
/** Nodes each fleet simulates (city-fleet.ts), plus the platforms' nine. */
const NODES = { city: 1_840, 'city-10k': 10_000 };

async function measure(url, token, child, clients) {
  const load = await startLoad({ url, token, clients, topics: TOPICS, procs: clients === 1 ? 1 : Number(opt.procs) });
  try {
    if (load.failed) throw new Error(`${load.failed} of ${clients} clients failed to subscribe: ${load.errors.join('; ')}`);
    await sleep(5_000); // past the snapshots
    load.reset();
    const before = machineLoad();
    const sampler = sampleProcess(child.pid);
    await sleep(SECONDS * 1000);
    const proc = sampler.stop();
    const r = await load.report();
    const perClient = (t) => (r.bytesByTopic[t] ?? 0) / r.clients / r.seconds;
    return {
      clients,
      overviewBps: perClient(TOPICS[0]),
      districtBps: perClient(TOPICS[1]),
      framesPerClientPerS: r.frames / r.clients / r.seconds,
      p50: r.p50,
      p99: r.p99,
      max: r.max,
      lost: r.lost,
      withoutFrames: r.withoutFrames,
      serverCpuPct: proc.cpuPct,
      rssMb: proc.rssEndMb,
      rssMaxMb: proc.rssMaxMb,
      load: `${before} → ${machineLoad()}`,
    };
  } finally {
    await load.stop();
  }
}

async function run(fleet, mode) {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-live-scale-'));
  // The new-series guard (20,000 a minute by default) would take city-10k's ~60,000 series three
  // minutes to admit: raised here so that every node reports before the measurement.
  const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: fleet, ZHUYUN_LIVE_WHOLE_FRAMES: mode === 'whole' ? '1' : '0', ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '1000000' };
  const { url, child, output } = await spawnServer(env);
  try {
    const token = await adminToken(url, env);
    await sleep(Number(opt.warmup) * 1000); // every village reports every 10 s
    // Then until (nearly) every node of the fleet has reported (GET /api/v1/districts counts them).
    let reporting = 0;
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${url}/api/v1/districts`, { headers: { authorization: `Bearer ${token}` } });
      const c = (await res.json()).counts;
      reporting = c.up + c.degraded + c.down;
      if (reporting >= NODES[fleet] * 0.97) break;
      await sleep(2_000);
    }
    const idleLoad = machineLoad();
    const idleSampler = sampleProcess(child.pid);
    await sleep(SECONDS * 1000);
    const idle = idleSampler.stop();
    const idleLoadEnd = machineLoad();
    const runs = [];
    for (const n of [1, ...SIZES]) {
      runs.push(await measure(url, token, child, n));
      await sleep(2_000);
    }
    const errors = output().split('\n').filter((l) => /"level":(5|6)\d/.test(l)).length;
    return { fleet, mode, nodes: NODES[fleet], reporting, idle: { cpuPct: idle.cpuPct, rssMb: idle.rssEndMb, load: `${idleLoad} → ${idleLoadEnd}` }, runs, serverErrors: errors };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (b) => (b / 1024).toFixed(1);
const results = [];
for (const fleet of opt.fleets.split(',')) {
  for (const mode of opt.modes.split(',')) {
    const r = await run(fleet, mode);
    results.push(r);
    console.log(`\n${fleet} (${r.nodes} nodes, ${r.reporting} reporting before the measurement), ${mode} frames; server errors ${r.serverErrors}`);
    console.log(`  idle (no client): server CPU ${r.idle.cpuPct.toFixed(0)} % (${((r.idle.cpuPct / r.nodes) * 1000).toFixed(1)} % per 1,000 nodes), RSS ${r.idle.rssMb.toFixed(0)} MB; load avg ${r.idle.load}`);
    for (const x of r.runs) {
      const bound = r.runs[0];
      console.log(
        `  ${String(x.clients).padStart(5)} clients: overview ${kb(x.overviewBps)} KB/s, ${TOPICS[1]} ${kb(x.districtBps)} KB/s per client; ` +
          `lag p50 ${x.p50} ms, p99 ${x.p99} ms (bound p99 ${bound.p99} ms), max ${x.max} ms; lost ${x.lost}, without frames ${x.withoutFrames}; ` +
          `server CPU ${x.serverCpuPct.toFixed(0)} %, RSS ${x.rssMb.toFixed(0)} MB (max ${x.rssMaxMb.toFixed(0)}); load avg ${x.load}`,
      );
    }
  }
}
console.log(JSON.stringify({ bench: 'live-scale', seconds: SECONDS, topics: TOPICS, results }));
