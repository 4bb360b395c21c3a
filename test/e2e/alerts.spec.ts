import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LiveFrame } from '@zhuyun/protocol';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertsLiveData } from '../../server/src/alerts/alerts.service.js';
import { DomainEvents, type DomainEventMap } from '../../server/src/common/domain-events.js';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The alert path end to end on a real server (SQLite): a node's latency above critical for the
 * for-duration fires an alert, it is pushed on `alerts`, notified to a webhook, acknowledged over
 * REST, and resolves when the values come back.
 */
let server: TestServer;
let token: string;
let batchNo = 0;
let hook: Server;
let hookUrl: string;
const received: Array<{ event: string; title: string; text: string; alert: { alertId: string } }> = [];
const domain: Array<[keyof DomainEventMap, unknown]> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  server = await startTestServer();
  token = await server.addCollector('yunyan-edge-01', '520103');
  const events = server.app.get(DomainEvents);
  events.on('alert.transition', (e) => domain.push(['alert.transition', e]));
  events.on('alert.acknowledged', (e) => domain.push(['alert.acknowledged', e]));
});
afterAll(async () => {
  await server?.close();
  await new Promise((r) => hook.close(r));
});

async function send(value: number, metric = 'net.latency_ms') {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      collector: 'yunyan-edge-01',
      batch: `yunyan-edge-01:alerts-${++batchNo}`,
      points: [{ metric, ts: Date.now(), value, tags: { district: '520103', node: 'yy-core-1', target: 'city-core' } }],
    }),
  });
  expect(res.status).toBe(202);
}

async function api(method: string, path: string, body?: unknown) {
  const res = await server.api(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const CRITICAL = 'default-net-latency_ms-critical';

describe('alerts end to end', () => {
  it('fires, is pushed, notified, acknowledged, and resolves', async () => {
    const rules = await api('GET', '/api/v1/alert-rules');
    expect(rules.status).toBe(200);
    expect(rules.body.find((r: { id: string }) => r.id === CRITICAL)).toMatchObject({ metric: 'net.latency_ms', comparison: '>=', threshold: 50, forMs: 300_000, severity: 'P2' });
    // Five minutes are too long for a test: the rule is edited like an operator would.
    const put = await api('PUT', `/api/v1/alert-rules/${CRITICAL}`, { forMs: 1500 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: CRITICAL, forMs: 1500, threshold: 50 });
    const ch = await api('POST', '/api/v1/notification-channels', { name: '运维值班', kind: 'webhook', url: hookUrl, severities: ['P2'] });
    expect(ch.status).toBe(201);

    const live = new LiveTestClient(server.url, server.token);
    try {
      await live.connected();
      expect(await live.subscribe(['alerts'])).toEqual({ subscribed: ['alerts'], rejected: [] });
      const snap = live.snapshots[0] as LiveFrame<AlertsLiveData>;
      expect(snap.data.counts.firing).toBe(0);

      await send(80);
      const firing = await live.waitForFrame<AlertsLiveData>((f) => f.data.open.some((a) => a.ruleId === CRITICAL && a.state === 'firing'));
      const alert = firing.data.open.find((a) => a.ruleId === CRITICAL)!;
      expect(alert).toMatchObject({ district: '520103', node: 'yy-core-1', severity: 'P2', value: 80, ruleName: 'net.latency_ms critical', ack: null });
      expect(firing.data.transitions.some((t) => t.alertId === alert.id && t.to === 'firing')).toBe(true);

      const listed = await api('GET', '/api/v1/alerts?state=firing&district=520103');
      expect(listed.body.map((a: { id: string }) => a.id)).toContain(alert.id);
      expect((await api('GET', '/api/v1/alerts?severity=P1')).body).toEqual([]);
      expect((await api('GET', '/api/v1/alerts?state=nonsense')).status).toBe(400);

      // Acknowledged by the signed-in user (the test admin), whatever a body might claim.
      const ack = await api('POST', `/api/v1/alerts/${alert.id}/ack`, { comment: '正在排查' });
      expect(ack.status).toBe(200);
      expect(ack.body.ack).toMatchObject({ by: 'test-admin-1', comment: '正在排查' });
      await live.waitForFrame<AlertsLiveData>((f) => f.data.open.some((a) => a.id === alert.id && a.ack?.by === 'test-admin-1'));
      expect((await api('POST', `/api/v1/alerts/${alert.id}/ack`, {})).status).toBe(409);
      expect((await api('POST', '/api/v1/alerts/al-nope/ack', {})).status).toBe(404);
      const bad = await api('POST', `/api/v1/alerts/${alert.id}/ack`, { by: 'someone-else' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/by/);

      await send(12);
      await live.waitForFrame<AlertsLiveData>((f) => f.data.transitions.some((t) => t.alertId === alert.id && t.to === 'resolved'));
      const done = await api('GET', `/api/v1/alerts/${alert.id}`);
      expect(done.body.state).toBe('resolved');
      expect(done.body.transitions.map((t: { kind: string; from: string; to: string }) => `${t.kind}:${t.from}->${t.to}`)).toEqual([
        'state:inactive->pending', 'state:pending->firing', 'ack:firing->firing', 'state:firing->resolved',
      ]);
      expect((await api('POST', `/api/v1/alerts/${alert.id}/ack`, {})).status).toBe(409);

      // The webhook heard the firing and the resolution, in Chinese; each delivery is on record.
      await waitFor(() => received.filter((r) => r.alert.alertId === alert.id).length === 2);
      const mine = received.filter((r) => r.alert.alertId === alert.id);
      expect(mine.map((r) => r.event)).toEqual(['firing', 'resolved']);
      expect(mine[0].title).toBe('【P2 告警】云岩区 yy-core-1 网络时延');
      const deliveries = await api('GET', `/api/v1/alerts/${alert.id}/deliveries`);
      expect(deliveries.body.map((d: { event: string; status: string; httpStatus: number }) => [d.event, d.status, d.httpStatus])).toEqual([
        ['firing', 'ok', 200],
        ['resolved', 'ok', 200],
      ]);

      const mineEvents = domain.filter(([, e]) => (e as { alertId: string }).alertId === alert.id);
      expect(mineEvents.map(([k, e]) => (k === 'alert.transition' ? `${(e as { to: string }).to}` : 'ack'))).toEqual(['pending', 'firing', 'ack', 'resolved']);
      expect(mineEvents[1][1]).toMatchObject({ rule: CRITICAL, severity: 'P2', scope: { district: '520103', node: 'yy-core-1', service: 'extranet:520103' } });
    } finally {
      live.close();
    }
  });

  it('validates rules, silences and channels with messages naming the field', async () => {
    const r1 = await api('POST', '/api/v1/alert-rules', { name: 'x', metric: 'latency', comparison: '>>', threshold: 'a', severity: 'P9' });
    expect(r1.status).toBe(400);
    for (const f of ['metric', 'comparison', 'threshold', 'severity']) expect(r1.body.error.message).toContain(f);
    const r2 = await api('POST', '/api/v1/alert-rules', { name: 'x', metric: 'net.loss_pct', comparison: '>', threshold: 1, resolveThreshold: 2, severity: 'P3' });
    expect(r2.status).toBe(400);
    expect(r2.body.error.message).toMatch(/resolveThreshold must be at most threshold/);
    const ok = await api('POST', '/api/v1/alert-rules', { name: '乌当丢包', metric: 'net.loss_pct', scope: { district: '520112' }, comparison: '>', threshold: 2, severity: 'P2', forMs: 60_000 });
    expect(ok.status).toBe(201);
    expect((await api('PUT', `/api/v1/alert-rules/${ok.body.id}`, { threshold: 'high' })).status).toBe(400);
    expect((await api('PUT', `/api/v1/alert-rules/${ok.body.id}`, { enabled: false })).body).toMatchObject({ enabled: false, threshold: 2 });
    expect((await api('DELETE', `/api/v1/alert-rules/${ok.body.id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/v1/alert-rules/${ok.body.id}`)).status).toBe(404);

    const s1 = await api('POST', '/api/v1/silences', { matchers: {}, endsAt: Date.now() + 60_000, comment: 'x' });
    expect(s1.status).toBe(400);
    expect(s1.body.error.message).toMatch(/at least one matcher/);
    const s2 = await api('POST', '/api/v1/silences', { matchers: { node: 'yy-core-1' }, endsAt: Date.now() + 60_000, comment: '割接' });
    expect(s2.status).toBe(201);
    expect((await api('GET', '/api/v1/silences')).body.map((s: { id: string }) => s.id)).toContain(s2.body.id);
    expect((await api('DELETE', `/api/v1/silences/${s2.body.id}`)).status).toBe(204);
    expect((await api('GET', '/api/v1/silences')).body.map((s: { id: string }) => s.id)).not.toContain(s2.body.id);
    expect((await api('GET', '/api/v1/silences?active=false')).body.map((s: { id: string }) => s.id)).toContain(s2.body.id);

    const c1 = await api('POST', '/api/v1/notification-channels', { name: 'x', kind: 'sms', url: 'ftp://x' });
    expect(c1.status).toBe(400);
    expect(c1.body.error.message).toMatch(/kind/);
    expect(c1.body.error.message).toMatch(/url/);
    const c2 = await api('POST', '/api/v1/notification-channels', { name: '钉钉群', kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECx', events: ['escalation'] });
    expect(c2.body).toMatchObject({ kind: 'dingtalk', hasSecret: true, events: ['escalation'] });
    expect(c2.body.secret).toBeUndefined();
    const c3 = await api('PUT', `/api/v1/notification-channels/${c2.body.id}`, { name: '钉钉值班群' });
    expect(c3.body).toMatchObject({ name: '钉钉值班群', hasSecret: true, events: ['escalation'] });
    expect((await api('DELETE', `/api/v1/notification-channels/${c2.body.id}`)).status).toBe(204);
  });
});

async function waitFor(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('alerts from the simulated fleet', () => {
  let sim: TestServer;
  beforeAll(async () => {
    sim = await startTestServer({ ZHUYUN_SIMULATE: '1' });
  });
  afterAll(() => sim?.close());

  it('a link fault injected in the simulator fires node down, which is acknowledged and resolves', async () => {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await sim.api(path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    // Node down waits a minute by default; the test does not.
    expect((await call('PUT', '/api/v1/alert-rules/default-net-up-down', { forMs: 0, keepFiringMs: 0 })).status).toBe(200);
    const live = new LiveTestClient(sim.url, sim.token);
    try {
      await live.connected();
      await live.subscribe(['alerts']);
      sim.app.get(SimulationService).injectFault({ kind: 'link_down', unit: '520121', durationMs: 4000 });
      const isMine = (a: AlertsLiveData['open'][number]) => a.ruleId === 'default-net-up-down' && a.district === '520121';
      const fired = await live.waitForFrame<AlertsLiveData>((f) => f.data.open.some((a) => isMine(a) && a.state === 'firing'), 15_000);
      const alert = fired.data.open.find(isMine)!;
      expect(alert).toMatchObject({ severity: 'P1', metric: 'net.up', value: 0 });
      const ack = await call('POST', `/api/v1/alerts/${alert.id}/ack`, { comment: '开阳链路中断' });
      expect(ack.status).toBe(200);
      await live.waitForFrame<AlertsLiveData>((f) => f.data.transitions.some((t) => t.alertId === alert.id && t.to === 'resolved'), 15_000);
      const done = await call('GET', `/api/v1/alerts/${alert.id}`);
      expect(done.body).toMatchObject({ state: 'resolved', ack: { by: 'test-admin-1' } });
    } finally {
      live.close();
    }
  }, 40_000);
});
