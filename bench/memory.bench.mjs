// Server memory at steady state: one server process (node server/dist/main.js, SQLite) running the
// simulated city (ZHUYUN_SIMULATE=1: 15 collectors reporting every second) with `--clients`
// socket.io clients (two load processes, bench/lib/live-load.mjs) subscribed to `overview` and
// `district:520103`. RSS of the server's pid (from /proc) every 10 s for `--minutes`; printed:
// RSS at start (clients connected), after the first minute, at the end, the maximum, and the
// slope over the run after the first minute. The bound, in the same run: the same server with no
// clients, its RSS read just before they connect.
//
//   npm run build:node && node bench/memory.bench.mjs [--minutes 3] [--clients 500]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { machineLoad, procStat, sleep, startLoad } from './lib/measure.mjs';

const { values: opt } = parseArgs({ options: { minutes: { type: 'string', default: '3' }, clients: { type: 'string', default: '500' } } });
const SECONDS = Number(opt.minutes) * 60;
const CLIENTS = Number(opt.clients);

const dir = mkdtempSync(join(tmpdir(), 'zhuyun-mem-'));
const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_SIMULATE: '1' };
const { url, child, output } = await spawnServer(env);
let load;
const loadBefore = machineLoad();
try {
  const token = await adminToken(url, env);
  await sleep(10_000); // the simulated fleet's start
  const noClients = procStat(child.pid).rssMb;
  load = await startLoad({ url, token, clients: CLIENTS, topics: ['overview', 'district:520103'], procs: 2 });
  if (load.failed) throw new Error(`${load.failed} clients failed: ${load.errors.join('; ')}`);
  const t0 = Date.now();
  const cpu0 = procStat(child.pid).cpuS;
  const rss = [[0, procStat(child.pid).rssMb]];
  while (Date.now() - t0 < SECONDS * 1000) {
    await sleep(10_000);
    const t = Math.round((Date.now() - t0) / 1000);
    rss.push([t, procStat(child.pid).rssMb]);
    if (t % 60 < 10) console.log(`  ${t} s: RSS ${rss.at(-1)[1].toFixed(1)} MB`);
  }
  const cpuPct = (100 * (procStat(child.pid).cpuS - cpu0)) / SECONDS;
  const r = await load.report();
  const late = rss.filter(([t]) => t >= 60);
  // least-squares slope of RSS over time after the first minute, MB per minute
  const n = late.length;
  const mx = late.reduce((s, [t]) => s + t, 0) / n;
  const my = late.reduce((s, [, m]) => s + m, 0) / n;
  const slope = n > 1 ? (60 * late.reduce((s, [t, m]) => s + (t - mx) * (m - my), 0)) / late.reduce((s, [t]) => s + (t - mx) ** 2, 0) : null;
  const summary = {
    bench: 'memory',
    seconds: SECONDS,
    clients: CLIENTS,
    rssNoClientsMb: +noClients.toFixed(1),
    rssStartMb: +rss[0][1].toFixed(1),
    rssAfter1MinMb: +(late[0]?.[1] ?? rss.at(-1)[1]).toFixed(1),
    rssEndMb: +rss.at(-1)[1].toFixed(1),
    rssMaxMb: +Math.max(...rss.map(([, m]) => m)).toFixed(1),
    slopeMbPerMin: slope === null ? null : +slope.toFixed(2),
    serverCpuPct: +cpuPct.toFixed(1),
    framesPerClientPerS: +(r.frames / r.clients / r.seconds).toFixed(2),
    framesLost: r.totalLost,
    clientsOpen: r.open,
    serverErrorLines: output().split('\n').filter((l) => /"level":(5|6)\d/.test(l)).length,
    load: `${loadBefore} → ${machineLoad()}`,
    rss: rss.map(([t, m]) => [t, +m.toFixed(1)]),
  };
  console.log(
    `server memory, simulated city + ${CLIENTS} clients, ${SECONDS} s: RSS ${summary.rssNoClientsMb} MB with no clients (bound), ${summary.rssStartMb} MB with them connected, ` +
      `${summary.rssAfter1MinMb} MB after 1 min, ${summary.rssEndMb} MB at the end (max ${summary.rssMaxMb}; slope after 1 min ${summary.slopeMbPerMin} MB/min); ` +
      `server CPU ${summary.serverCpuPct} %; ${summary.framesPerClientPerS} frames/client/s, ${summary.framesLost} lost, ${summary.clientsOpen} open; error lines ${summary.serverErrorLines}; load avg ${summary.load}`,
  );
  console.log(JSON.stringify(summary));
} finally {
  await load?.stop();
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
