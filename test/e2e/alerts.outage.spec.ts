import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertsLiveData } from '@zhuyun/protocol';
import { AlertsService } from '../../server/src/alerts/alerts.service.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * An outage as ops meet it (issue 15, items 1–2): 开阳's core goes down with the access nodes
 * behind it, through a collector pushing points to a real server. The children's node-down alerts
 * are held back behind the core (not notified, counted as suppressed), their own loss alerts are
 * hidden by their node being down, and every alert of the outage carries one group.
 */
let server: TestServer;
let token: string;
let batchNo = 0;
const CORE = '520121-core-1';
const KIDS = ['520121-acc-1', '520121-acc-2', '520121-acc-3', '520121-acc-4', '520121-acc-5'];

let hook: Server;
const notified: Array<{ event: string; alert: { alertId: string; node: string } }> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      notified.push(JSON.parse(body));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  server = await startTestServer();
  // The registry names the core, as the city's registry does: "held back behind" shows the name.
  const csv = ['节点编号,节点名称,层级,所属区县', `${CORE},开阳县汇聚节点,unit,520121`].join('\n');
  expect((await server.api('/api/v1/nodes/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv })).status).toBe(200);
  const ch = await api('POST', '/api/v1/notification-channels', { name: '运维值班', kind: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` });
  expect(ch.status).toBe(201);
  token = await server.addCollector('kaiyang-edge-01', '520121');
  // One minute for node down and five for loss are too long for a test: edited as an operator would.
  for (const id of ['default-net-up-down']) await api('PUT', `/api/v1/alert-rules/${id}`, { forMs: 1500, keepFiringMs: 0 });
  for (const id of ['default-net-loss_pct-critical', 'default-net-loss_pct-warning']) await api('PUT', `/api/v1/alert-rules/${id}`, { forMs: 1500 });
}, 30_000);
afterAll(async () => {
  await server?.close();
  await new Promise((r) => hook?.close(r));
});

async function api(method: string, path: string, body?: unknown) {
  const res = await server.api(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

type P = { node: string; up: number; loss?: number; parent?: string; role?: string };
async function push(points: P[]) {
  const ts = Date.now();
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      collector: 'kaiyang-edge-01',
      batch: `kaiyang-edge-01:outage-${++batchNo}`,
      points: points.flatMap((p) => {
        const tags = { district: '520121', node: p.node, ...(p.parent ? { parent: p.parent } : {}), ...(p.role ? { role: p.role } : {}) };
        return [
          { metric: 'net.up', ts, value: p.up, tags },
          ...(p.loss !== undefined ? [{ metric: 'net.loss_pct', ts, value: p.loss, tags: { ...tags, target: 'city-core' } }] : []),
        ];
      }),
    }),
  });
  expect(res.status).toBe(202);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pushFor(ms: number, points: () => P[]) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await push(points());
    await sleep(400);
  }
}

type Alert = { id: string; node: string; ruleId: string; state: string; suppressed: string | null; group?: string; groupSize?: number; suppressedName?: string; ack: { by: string } | null };
async function openAlerts(): Promise<Alert[]> {
  const r = await api('GET', '/api/v1/alerts?limit=200');
  return (r.body as Alert[]).filter((a) => a.state === 'pending' || a.state === 'firing');
}

const healthy = () => [{ node: CORE, up: 1, loss: 0, role: 'core' }, ...KIDS.map((n) => ({ node: n, up: 1, loss: 0, parent: CORE, role: 'access' }))];
// Core and children down; the children also report total loss (what a probe sees).
const down = (kids = KIDS, core = true) => [{ node: CORE, up: core ? 0 : 1, loss: core ? 100 : 0, role: 'core' }, ...KIDS.map((n) => ({ node: n, up: kids.includes(n) ? 0 : 1, loss: kids.includes(n) ? 100 : 0, parent: CORE, role: 'access' }))];

async function allClosed() {
  await pushFor(1000, healthy);
  const end = Date.now() + 10_000;
  while ((await openAlerts()).some((a) => a.state === 'firing') && Date.now() < end) await pushFor(500, healthy);
}

describe('an outage behind a down core', () => {
  it('holds the children back behind the core (by name), hides their loss, groups the outage, and acknowledges it in one call', async () => {
    await pushFor(1200, healthy);
    await pushFor(6000, () => down());
    const open = await openAlerts();
    const nodeDown = open.filter((a) => a.ruleId === 'default-net-up-down');
    expect(nodeDown.map((a) => a.node).sort()).toEqual([CORE, ...KIDS].sort());
    expect(nodeDown.every((a) => a.state === 'firing')).toBe(true);
    const core = nodeDown.find((a) => a.node === CORE)!;
    expect(core.suppressed).toBeNull();
    for (const kid of KIDS) expect(nodeDown.find((a) => a.node === kid)).toMatchObject({ suppressed: `behind:${CORE}`, suppressedName: '开阳县汇聚节点' });
    // Loss alerts of down nodes are held back too (behind the core, or by their own node down).
    const loss = open.filter((a) => a.ruleId.startsWith('default-net-loss_pct') && a.state === 'firing');
    expect(loss.length).toBeGreaterThan(0);
    for (const a of loss) expect(a.suppressed).toMatch(/^(behind|down):/);
    // Only the core's node-down alert was notified.
    await new Promise((r) => setTimeout(r, 500));
    const fired = notified.filter((n) => n.event === 'firing');
    expect(fired.map((n) => n.alert.node)).toEqual([CORE]);
    // The live topic counts them suppressed.
    const live = server.app.get(AlertsService).liveData() as AlertsLiveData;
    expect(live.counts.suppressed).toBe(open.filter((a) => a.suppressed).length);
    expect(live.counts.suppressed).toBeGreaterThanOrEqual(KIDS.length);
    // One outage group, led by the core's alert, holding every alert of the outage.
    const groups = new Set(open.map((a) => a.group));
    expect([...groups]).toEqual([core.id]);
    expect(open.every((a) => a.groupSize === open.length)).toBe(true);
    expect(live.open.every((a) => a.group === core.id && a.groupSize === open.length)).toBe(true);
    // Acknowledged in one call, audited.
    const ack = await api('POST', `/api/v1/alerts/groups/${core.id}/ack`, { comment: '开阳汇聚中断，已派单' });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledged.sort()).toEqual(open.map((a) => a.id).sort());
    expect((await openAlerts()).every((a) => a.ack?.by === 'test-admin-1')).toBe(true);
    expect((await api('POST', `/api/v1/alerts/groups/al-nope/ack`, {})).status).toBe(404);
    const audit = await api('GET', '/api/v1/audit?limit=20');
    expect(JSON.stringify(audit.body)).toContain('alert.ack-group');
    // An ops user who may not act (a leader) is refused.
    const leader = await server.login('leader');
    const refused = await fetch(`${server.url}/api/v1/alerts/groups/${core.id}/ack`, { method: 'POST', headers: { authorization: `Bearer ${leader}`, 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
    await allClosed();
  }, 60_000);

  it('a scoped user sees a group as far as it sees the outage: its ids and sizes count nothing of another unit', async () => {
    // A 息烽 access node hangs off 开阳's core (reported by 息烽's own collector) and goes down with it.
    const xifeng = await server.addCollector('xifeng-edge-01', '520122');
    const pushXifeng = async (up: number) => {
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${xifeng}` },
        body: JSON.stringify({ collector: 'xifeng-edge-01', batch: `xifeng-edge-01:${++batchNo}`, points: [{ metric: 'net.up', ts: Date.now(), value: up, tags: { district: '520122', node: '520122-acc-1', parent: CORE, role: 'access' } }] }),
      });
      expect(res.status).toBe(202);
    };
    await pushFor(1200, healthy);
    await pushXifeng(1);
    const end = Date.now() + 6000;
    while (Date.now() < end) {
      await push(down());
      await pushXifeng(0);
      await sleep(400);
    }
    const all = await openAlerts();
    const foreign = all.find((a) => a.node === '520122-acc-1')!;
    expect(foreign).toMatchObject({ suppressed: `behind:${CORE}` });
    const core = all.find((a) => a.node === CORE && a.ruleId === 'default-net-up-down')!;
    // Ops see one outage across both units.
    expect(foreign.group).toBe(core.id);
    const as = async (token: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const kaiyang = await server.login('district', { district: '520121' });
    const xifengUser = await server.login('district', { district: '520122' });
    const mine = ((await as(kaiyang, '/api/v1/alerts?limit=200')).body as Alert[]).filter((a) => a.state === 'pending' || a.state === 'firing');
    expect(mine.some((a) => a.node === '520122-acc-1')).toBe(false);
    expect(mine.every((a) => a.group === core.id && a.groupSize === mine.length)).toBe(true);
    expect(mine.length).toBe(all.length - 1);
    // 息烽's user sees its own alert alone: not the 开阳 core's alert id, not the outage's size.
    const theirs = ((await as(xifengUser, '/api/v1/alerts?limit=200')).body as Alert[]).filter((a) => a.state === 'pending' || a.state === 'firing');
    expect(theirs.map((a) => [a.node, a.group, a.groupSize])).toEqual([['520122-acc-1', foreign.id, 1]]);
    // The live topic of a scoped audience says the same.
    const live = server.app.get(AlertsService).liveData((a) => a.unit === '520122') as AlertsLiveData;
    expect(live.open.map((a) => [a.group, a.groupSize])).toEqual([[foreign.id, 1]]);
    await pushXifeng(1);
    await allClosed();
  }, 60_000);

  it('children that went down first end up held back when their core goes down within their pending window', async () => {
    notified.length = 0;
    await pushFor(600, () => down(KIDS, false));
    await pushFor(5000, () => down());
    const open = (await openAlerts()).filter((a) => a.ruleId === 'default-net-up-down');
    expect(open.map((a) => a.node).sort()).toEqual([CORE, ...KIDS].sort());
    for (const kid of KIDS) expect(open.find((a) => a.node === kid)!.suppressed).toBe(`behind:${CORE}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(notified.filter((n) => n.event === 'firing').map((n) => n.alert.node)).toEqual([CORE]);
    await allClosed();
  }, 60_000);

  it('a core whose down status comes and goes (another probe still reaches it) holds its children back while its node-down alert fires', async () => {
    notified.length = 0;
    // Another collector (the city's own probe) reaches the core every 300 ms; ours sees it down
    // every 8 s. The core's status is down only while our point is within its freshness horizon.
    const other = await server.addCollector('kaiyang-city', '520121');
    let n = 0;
    let on = true;
    const city = (async () => {
      while (on) {
        const res = await fetch(`${server.url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${other}` },
          body: JSON.stringify({ collector: 'kaiyang-city', batch: `kaiyang-city:${++n}`, points: [{ metric: 'net.up', ts: Date.now(), value: 1, tags: { district: '520121', node: CORE, target: 'city-core', role: 'core' } }] }),
        });
        expect(res.status).toBe(202);
        await sleep(300);
      }
    })();
    try {
      const end = Date.now() + 17_000;
      while (Date.now() < end) {
        await push(down());
        await sleep(8_000);
      }
      const open = (await openAlerts()).filter((a) => a.ruleId === 'default-net-up-down');
      expect(open.find((a) => a.node === CORE)?.state).toBe('firing');
      for (const kid of KIDS) expect(open.find((a) => a.node === kid)!.suppressed).toBe(`behind:${CORE}`);
      expect(notified.filter((x) => x.event === 'firing').map((x) => x.alert.node)).toEqual([CORE]);
    } finally {
      on = false;
      await city;
    }
    await allClosed();
  }, 60_000);

  it('a firing alert whose value no longer breaches says why it still fires (keep-firing, hysteresis), as codes', async () => {
    const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const one = async (metric: string, value: number, node: string, extra: Record<string, string> = {}) => {
      const res = await fetch(`${server.url}/api/v1/ingest`, json({ collector: 'kaiyang-edge-01', batch: `kaiyang-edge-01:hold-${++batchNo}`, points: [{ metric, ts: Date.now(), value, tags: { district: '520121', node, ...extra } }] }));
      expect(res.status).toBe(202);
    };
    expect((await api('PUT', '/api/v1/alert-rules/default-net-up-down', { keepFiringMs: 20_000 })).status).toBe(200);
    expect((await api('PUT', '/api/v1/alert-rules/default-net-if_util_pct-warning', { forMs: 1000 })).status).toBe(200);
    const end = Date.now() + 3_500;
    while (Date.now() < end) {
      await one('net.up', 0, '520121-acc-9');
      await one('net.if_util_pct', 75, '520121-agg-1', { interface: 'uplink' });
      await sleep(400);
    }
    await one('net.up', 1, '520121-acc-9');
    await one('net.if_util_pct', 68.48, '520121-agg-1', { interface: 'uplink' });
    await sleep(300);
    const open = await openAlerts();
    const down = open.find((a) => a.node === '520121-acc-9' && a.ruleId === 'default-net-up-down') as unknown as { state: string; value: number; hold: { code: string; keepFiringS: number; until: number } };
    expect(down).toMatchObject({ state: 'firing', value: 1, hold: { code: 'keepFiring', keepFiringS: 20 } });
    expect(down.hold.until).toBeGreaterThan(Date.now());
    const util = open.find((a) => a.node === '520121-agg-1' && a.ruleId === 'default-net-if_util_pct-warning') as unknown as { state: string; hold: unknown };
    expect(util).toMatchObject({ state: 'firing', value: 68.48, hold: { code: 'hysteresis', resolveThreshold: 63, comparison: '>=' } });
    // On the live topic too.
    const live = server.app.get(AlertsService).liveData() as AlertsLiveData;
    expect(live.open.find((a) => a.node === '520121-acc-9')?.hold).toMatchObject({ code: 'keepFiring' });
    expect((await api('PUT', '/api/v1/alert-rules/default-net-up-down', { keepFiringMs: 0 })).status).toBe(200);
  }, 30_000);

  it('a pending alert that closes without firing leaves the live feed (its history keeps it)', async () => {
    const ingest = async (value: number) => {
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ collector: 'kaiyang-edge-01', batch: `kaiyang-edge-01:quiet-${++batchNo}`, points: [{ metric: 'net.loss_pct', ts: Date.now(), value, tags: { district: '520121', node: '520121-acc-8', target: 'city-core' } }] }),
      });
      expect(res.status).toBe(202);
    };
    await ingest(0.5);
    await sleep(200);
    await ingest(0);
    await sleep(200);
    const all = (await api('GET', '/api/v1/alerts?state=inactive&node=520121-acc-8')).body as Alert[];
    expect(all.length).toBe(1);
    const history = (await api('GET', `/api/v1/alerts/${all[0].id}`)).body.transitions.map((t: { from: string; to: string }) => `${t.from}->${t.to}`);
    expect(history).toEqual(['inactive->pending', 'pending->inactive']);
    const live = server.app.get(AlertsService).liveData() as AlertsLiveData;
    expect(live.transitions.filter((t) => t.alertId === all[0].id)).toEqual([]);
  }, 30_000);
});
