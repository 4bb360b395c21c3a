// Live latency: from a collector's send (POST /api/v1/ingest, every point stamped with its send
// time) to a subscribed socket.io client's receipt of the first frame that carries it, p50 and p99,
// at 1,000, 10,000 and 50,000 points/s. One server process (node server/dist/main.js, SQLite, no
// simulation), the collector in a second process (bench/lib/paced-sender.mjs: a batch every 100 ms,
// 100 nodes over the ten districts), the client (socket.io-client, as the dashboard) in this one,
// subscribed to the ten `district:<code>` topics.
//
// "Carries it": a district frame in which that district's nodes show `lastSeen` ≥ the batch's send
// time (a frame holds each node's newest point; a later batch carries the earlier ones' time too).
// One sample per (batch, district). The bounds, measured in the same run:
// - the HTTP round trip of the same POSTs (what accepting the points costs);
// - the frames' own lag (server stamp `ts` at the tick → receipt): what leaves for socket.io;
// the rest is the wait for the one-second tick (FrameCoalescer, DESIGN "Live": one frame per
// topic per second), uniform over 0–1,000 ms: p50 ≈ 500 ms + the above, p99 ≈ 990 ms + the above.
//
//   npm run build:node && node bench/live-latency.bench.mjs [--rates 1000,10000,50000] [--seconds 15]
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { spawnServer, adminToken } from '../scripts/spawn-server.mjs';
import { DISTRICTS } from './lib/paced-sender.mjs';
import { machineLoad, pct, procStat, sleep } from './lib/measure.mjs';

const { values: opt } = parseArgs({
  options: {
    rates: { type: 'string', default: '1000,10000,50000' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
  },
});
const RATES = opt.rates.split(',').map(Number);
const SECONDS = Number(opt.seconds);
const WARMUP_MS = Number(opt.warmup) * 1000;
const root = new URL('..', import.meta.url).pathname;

async function run(rate) {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-livelat-'));
  const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_INGEST_RATE: '1000000' };
  const collectorToken = execFileSync('node', [join(root, 'server/dist/cli.js'), 'collector', 'add', 'bench', '--district', '520103', '--units', '*'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1);
  const { url, child, output } = await spawnServer(env);
  const sender = fork(join(root, 'bench/lib/paced-sender.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let socket;
  try {
    const token = await adminToken(url, env);
    socket = io(`${url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    await new Promise((resolve, reject) => (socket.once('connect', resolve), socket.once('connect_error', reject)));
    /** Per district: [receivedAt, newest lastSeen of the bench nodes, frame ts]. */
    const frames = new Map(DISTRICTS.map((d) => [d, []]));
    socket.on('frame', (f) => {
      const at = Date.now();
      if (!f.topic.startsWith('district:')) return;
      let newest = 0;
      // A delta frame (issue 14) carries the nodes that changed, their new lastSeen in `set`.
      for (const n of f.data?.nodes ?? f.delta?.nodes ?? []) {
        const lastSeen = n.lastSeen ?? n.set?.lastSeen ?? 0;
        if (n.id.startsWith('bench-') && lastSeen > newest) newest = lastSeen;
      }
      frames.get(f.topic.slice(9)).push([at, newest, f.ts]);
    });
    const ack = await socket.timeout(5000).emitWithAck('subscribe', DISTRICTS.map((d) => `district:${d}`));
    if (ack.rejected.length) throw new Error(`subscribe rejected: ${JSON.stringify(ack.rejected)}`);
    const cpu0 = procStat(child.pid);
    const loadBefore = machineLoad();
    const done = new Promise((resolve) => sender.once('message', resolve));
    sender.send({ cmd: 'start', url, token: collectorToken, rate, seconds: SECONDS, batchMs: 100, nodes: 100 });
    const sent = await done;
    await sleep(2_500); // the last batches' frames
    const cpu1 = procStat(child.pid);
    if (sent.errors) throw new Error(`${sent.errors} POSTs failed: ${sent.firstError}`);
    const t0 = sent.batches.length ? Math.min(...sent.batches.map((b) => b[0])) : 0;
    const measured = sent.batches.filter(([s]) => s - t0 >= WARMUP_MS);
    const latencies = [];
    let missing = 0;
    for (const [s] of measured) {
      for (const d of DISTRICTS) {
        const f = frames.get(d).find(([, newest]) => newest >= s);
        if (f) latencies.push(f[0] - s);
        else missing++;
      }
    }
    const all = [...frames.values()].flat();
    const frameLag = all.map(([at, , ts]) => at - ts);
    const accepted = sent.batches.reduce((n, b) => n + b[2], 0);
    const errors = output().split('\n').filter((l) => /"level":(5|6)\d/.test(l)).length;
    return {
      rate,
      achieved: accepted / sent.seconds,
      batches: sent.batches.length,
      skipped: sent.skipped,
      pointsPerBatch: sent.perBatch,
      metricsPerNode: sent.metricsPerNode,
      samples: latencies.length,
      missing,
      p50: pct(latencies, 0.5),
      p99: pct(latencies, 0.99),
      max: pct(latencies, 1),
      httpP50: pct(measured.map((b) => b[1]), 0.5),
      httpP99: pct(measured.map((b) => b[1]), 0.99),
      frameLagP50: pct(frameLag, 0.5),
      frameLagP99: pct(frameLag, 0.99),
      framesPerS: all.length / sent.seconds,
      serverCpuPct: (100 * (cpu1.cpuS - cpu0.cpuS)) / (sent.seconds + 2.5),
      serverErrors: errors,
      load: `${loadBefore} → ${machineLoad()}`,
    };
  } finally {
    socket?.close();
    sender.kill('SIGKILL');
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const summary = { bench: 'live-latency', seconds: SECONDS, warmupS: WARMUP_MS / 1000, runs: [] };
for (const rate of RATES) {
  const r = await run(rate);
  summary.runs.push(r);
  console.log(
    `${rate.toLocaleString('en').padStart(7)} points/s asked, ${Math.round(r.achieved).toLocaleString('en')} achieved (${r.skipped} batches not sent): ` +
      `send → frame p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${r.samples} samples, ${r.missing} without a frame) | ` +
      `bounds: ingest HTTP round trip p50 ${r.httpP50} ms, p99 ${r.httpP99} ms; frame tick → receipt p50 ${r.frameLagP50} ms, p99 ${r.frameLagP99} ms | ` +
      `server CPU ${r.serverCpuPct.toFixed(0)} %; load avg ${r.load}`,
  );
}
console.log(JSON.stringify(summary));
