// What sharing accepted points between instances costs (docs/SCALE.md): per batch of accepted
// points, the sender serialises and publishes one message; each other instance parses it and
// applies it to its LiveState. Needs the build (`npm run build:node`) and Redis at REDIS_URL.
//   node bench/cluster-points.bench.mjs [batches=200] [pointsPerBatch=500]
import { createClient } from 'redis';
import { LiveState } from '../server/dist/status/live-state.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const batches = Number(process.argv[2] ?? 200);
const per = Number(process.argv[3] ?? 500);
const channel = `bench-${process.pid}:points`;

const pub = createClient({ url });
const sub = pub.duplicate();
await pub.connect();
await sub.connect();

const now = Date.now();
const metrics = ['net.up', 'net.latency_ms', 'net.loss_pct', 'net.if_in_bps', 'net.if_out_bps'];
const batch = (b) =>
  Array.from({ length: per }, (_, i) => ({
    metric: metrics[i % metrics.length],
    ts: now + b,
    value: (b * per + i) % 97,
    tags: { district: '520103', unit: '520103', node: `520103-n-${Math.floor(i / metrics.length) % 400}` },
  }));
const data = Array.from({ length: batches }, (_, b) => batch(b));

const state = new LiveState(() => undefined, () => undefined);
let applyMs = 0;
let parseMs = 0;
let received = 0;
let bytes = 0;
const all = new Promise((resolve) => {
  void sub.subscribe(channel, (raw) => {
    const t0 = performance.now();
    const msg = JSON.parse(raw);
    const t1 = performance.now();
    state.apply(msg.points, Date.now());
    applyMs += performance.now() - t1;
    parseMs += t1 - t0;
    if (++received === batches) resolve();
  });
});
await new Promise((r) => setTimeout(r, 100));

let stringifyMs = 0;
const started = performance.now();
for (const points of data) {
  const t0 = performance.now();
  const raw = JSON.stringify({ from: 'bench', points });
  stringifyMs += performance.now() - t0;
  bytes += raw.length;
  await pub.publish(channel, raw);
}
await all;
const wall = performance.now() - started;
const n = batches * per;
const us = (ms) => ((ms * 1000) / n).toFixed(2);
console.log(`${batches} batches x ${per} points = ${n} points, ${(bytes / batches / 1024).toFixed(1)} KiB per message`);
console.log(`sender: stringify ${us(stringifyMs)} µs/point`);
console.log(`receiver: parse ${us(parseMs)} µs/point, LiveState.apply ${us(applyMs)} µs/point`);
console.log(`end to end: ${Math.round(n / (wall / 1000)).toLocaleString('en')} points/s through one channel (${wall.toFixed(0)} ms)`);
await sub.quit();
await pub.quit();
