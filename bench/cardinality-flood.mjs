// docs/RELIABILITY.md "Cardinality limits": one collector floods district 520103 with new node names
// (1,000 a batch) after an honest collector's 300 nodes; prints RSS, the district frame's size,
// /healthz times, whether an honest live socket was dropped, and how many honest nodes the district's
// series query still returns. Loopback only; its own data dir, deleted at the end.
// Usage: npm run build:node && node bench/cardinality-flood.mjs [repo root (default: this one)] [flood size (default 20000)]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const root = process.argv[2] || fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.argv[3] ?? 20000);
const require = createRequire(fileURLToPath(import.meta.url));
const { io } = require('socket.io-client');
const dir = mkdtempSync(join(tmpdir(), 'zhuyun-measure-'));
const env = { ...process.env, ZHUYUN_DATA_DIR: dir, LOG_LEVEL: 'silent' };
const cli = (...args) => execFileSync('node', [join(root, 'server/dist/cli.js'), ...args], { env, input: 'Qx7-harbor-lantern-92', stdio: ['pipe', 'pipe', 'inherit'] }).toString().trim().split('\n').at(-1);
const token = cli('collector', 'add', 'flood-01', '--district', '520103');
const honest = cli('collector', 'add', 'honest-01', '--district', '520103');
cli('user', 'add', 'measure', '--role', 'admin');
const child = spawn('node', [join(root, 'server/dist/main.js')], { env: { ...env, PORT: '0', HOST: '127.0.0.1', ZHUYUN_SIMULATE: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
const url = await new Promise((res) => child.stdout.on('data', () => { const m = /listening on (http:\/\/[^"\s]+)/.exec(out); if (m) res(m[1].replace('localhost', '127.0.0.1')); }));
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024);
const login = await (await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'measure', password: 'Qx7-harbor-lantern-92' }) })).json();
const post = async (tok, collector, batch, points) => (await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` }, body: JSON.stringify({ collector, batch, points }) })).json();
const pt = (node) => ({ metric: 'net.latency_ms', ts: Date.now() - 500, value: 5, tags: { district: '520103', node } });
await post(honest, 'honest-01', 'h0', Array.from({ length: 300 }, (_, i) => pt(`zz-node-${i}`)));
await new Promise((r) => setTimeout(r, 1500));
const snapshot = async () => { const s = io(`${url}/live`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: login.token } }); const f = await new Promise((res) => { s.on('snapshot', (x) => res(x)); s.emit('subscribe', ['district:520103']); }); s.close(); return JSON.stringify(f).length; };
const healthz = async () => { const t = performance.now(); await fetch(`${url}/healthz`); return Math.round(performance.now() - t); };
console.log(JSON.stringify({ phase: 'before', rssMb: rss(), frameBytes: await snapshot(), healthzMs: await healthz() }));
const watcher = io(`${url}/live`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: login.token } });
let dropped = false; watcher.on('disconnect', () => (dropped = true)); watcher.emit('subscribe', ['district:520103']);
let accepted = 0; const t0 = performance.now(); let maxHealth = 0;
for (let b = 0; b < N / 1000; b++) {
  const r = await post(token, 'flood-01', `f${b}`, Array.from({ length: 1000 }, (_, i) => pt(`aa-fake-${b * 1000 + i}`)));
  accepted += r.accepted ?? 0;
  if (b % 5 === 0) maxHealth = Math.max(maxHealth, await healthz());
  await new Promise((r) => setTimeout(r, 60));
}
const floodS = ((performance.now() - t0) / 1000).toFixed(1);
await new Promise((r) => setTimeout(r, 3000));
let maxHealthAfter = 0; for (let i = 0; i < 5; i++) { maxHealthAfter = Math.max(maxHealthAfter, await healthz()); await new Promise((r) => setTimeout(r, 200)); }
const series = await (await fetch(`${url}/api/v1/series?metric=net.latency_ms&district=520103&step=raw`, { headers: { authorization: `Bearer ${login.token}` } })).json();
const honestInQuery = series.series.filter((s) => s.tags.node.startsWith('zz-')).length;
console.log(JSON.stringify({ phase: 'after', flood: N, accepted, floodS, rssMb: rss(), frameBytes: await snapshot(), healthzMaxMsDuring: maxHealth, healthzMaxMsAfter: maxHealthAfter, honestSocketDropped: dropped, seriesReturned: series.series.length, honestInQuery }));
watcher.close(); child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true });
