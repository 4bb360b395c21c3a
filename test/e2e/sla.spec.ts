import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SlaService, type SlaLiveData } from '../../server/src/sla/sla.service.js';
import { monthOf, monthRange } from '../../server/src/sla/sla.time.js';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * SLA end to end on a real server: a collector reports an hour of the past (as a spool replays it)
 * with a 10-minute outage of Kaiyang's aggregation node; the minutes are scored, the incident
 * appears, is acknowledged, and the monthly CSV and HTML reports show it.
 */
const MIN = 60_000;
let server: TestServer;
let token: string;
let live: LiveTestClient;
const now = Date.now();
const first = Math.floor(now / MIN) * MIN - 60 * MIN; // 60 minutes ago
const downFrom = first + 20 * MIN;
const downTo = first + 30 * MIN;

const api = (path: string, init: RequestInit = {}) =>
  server.api(path, { ...init, headers: { 'content-type': 'application/json', ...((init.headers as Record<string, string>) ?? {}) } });
const json = async (path: string, init: RequestInit = {}) => {
  const res = await api(path, init);
  return { status: res.status, body: (await res.json()) as any };
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('kaiyang-edge-01', '520121');
  live = new LiveTestClient(server.url, server.token);
  await live.connected();
  expect((await live.subscribe(['sla'])).subscribed).toEqual(['sla']);
});
afterAll(async () => {
  live?.close();
  await server.close();
});

describe('SLA over HTTP', () => {
  let incidentId: string;
  let contractId: string;

  it('lists the 17 services', async () => {
    const { body } = await json('/api/v1/sla/services');
    expect(body.services).toHaveLength(17);
    expect(body.services.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['extranet:520121', 'extranet:gy-hitech', 'cloud', 'share', 'open']));
  });

  it('scores late points and derives the incident', async () => {
    const points = [];
    for (let t = first; t < first + 50 * MIN; t += MIN) {
      const down = t >= downFrom && t < downTo;
      for (const [node, role] of [['520121-core-1', 'core'], ['520121-acc-1', 'access']]) {
        points.push({ metric: 'net.up', ts: t + 10_000, value: down ? 0 : 1, tags: { district: '520121', node, role } });
      }
    }
    // Late points as an agent's spool replays them: with its (right) clock in x-zhuyun-sent-at, so
    // the server does not take their age for a slow clock.
    const headers = { authorization: `Bearer ${token}`, 'x-zhuyun-sent-at': String(Date.now()) };
    const res = await api('/api/v1/ingest', { method: 'POST', headers, body: JSON.stringify({ collector: 'kaiyang-edge-01', batch: 'kaiyang-edge-01:1', points }) });
    expect(await res.json()).toEqual({ accepted: 100, rejected: [] });
    const month = monthOf(downFrom);
    const incident = await until('the incident', async () => {
      const { body } = await json(`/api/v1/sla/incidents?service=extranet:520121&month=${month}`);
      return body.incidents[0];
    });
    expect(incident).toMatchObject({ service: 'extranet:520121', start: downFrom, end: downTo, downMinutes: 10, durationMinutes: 10, severity: 'P1', open: false, ttrMs: 10 * MIN, ttaMs: null, cause: 'aggregation node down: 520121-core-1' });
    incidentId = incident.id;
    const { body: m } = await json(`/api/v1/sla/services/extranet:520121/minutes?from=${downFrom - 2 * MIN}&to=${downTo + 2 * MIN}`);
    expect(m.minutes.map((x: { state: string }) => x.state)).toEqual(['UP', 'UP', ...Array(10).fill('DOWN'), 'UP', 'UP']);
    expect(m.runs).toEqual([
      { from: downFrom - 2 * MIN, to: downFrom, state: 'UP', observed: 'UP' },
      { from: downFrom, to: downTo, state: 'DOWN', observed: 'DOWN' },
      { from: downTo, to: downTo + 2 * MIN, state: 'UP', observed: 'UP' },
    ]);
  });

  it('acknowledges the incident once', async () => {
    const r = await json(`/api/v1/sla/incidents/${incidentId}/ack`, { method: 'POST', body: JSON.stringify({}) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: incidentId, acknowledgedBy: 'test-admin-1' });
    expect(r.body.ttaMs).toBeGreaterThan(30 * MIN);
    expect((await json(`/api/v1/sla/incidents/${incidentId}/ack`, { method: 'POST', body: '{}' })).status).toBe(409);
    expect((await json('/api/v1/sla/incidents/nope/ack', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('validates contracts with the field named', async () => {
    const bad = await json('/api/v1/sla/contracts', { method: 'POST', body: JSON.stringify({ operator: 'x', services: ['extranet:999999'], targetPct: 101 }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.message).toMatch(/services\.0: "extranet:999999" is not an SLA service/);
    expect(bad.body.error.message).toMatch(/targetPct: must be at most 100/);
    expect((await json('/api/v1/sla/contracts/none')).status).toBe(404);
    expect((await json('/api/v1/sla/services/extranet:520121/days?month=2026-13')).status).toBe(400);
    expect((await json('/api/v1/sla/services/nope/minutes?from=1&to=2')).status).toBe(404);
  });

  it('gives the monthly figures, CSV (with BOM) and a printable page', async () => {
    const created = await json('/api/v1/sla/contracts', {
      method: 'POST',
      body: JSON.stringify({ operator: '中国电信贵阳分公司', services: ['extranet:520121'], targetPct: 99.9, minOutageMinutes: 5, effectiveFrom: first }),
    });
    expect(created.status).toBe(201);
    contractId = created.body.id;
    const month = monthOf(downFrom);
    const { start, end } = monthRange(month);
    const { body: s } = await json(`/api/v1/sla/contracts/${contractId}/summary?month=${month}`);
    const from = Math.max(first, start);
    const to = Math.min(end, s.to);
    // Data minutes inside the counted period; the rest of it (after the data) is NO_DATA.
    const dataEnd = first + 50 * MIN;
    const inPeriod = (a: number, b: number) => Math.max(0, (Math.min(b, to) - Math.max(a, from)) / MIN);
    const down = inPeriod(downFrom, downTo);
    const up = inPeriod(first, dataEnd) - down;
    const noData = inPeriod(dataEnd, to);
    const f = s.services[0].figures;
    expect(f).toMatchObject({ up, down, maint: 0, noData, minutes: up + down + noData });
    expect(f.availabilityPct).toBeCloseTo((up / (up + down)) * 100, 9);
    expect(s.services[0].met).toBe(false);
    expect(s.services[0].incidents[0]).toMatchObject({ id: incidentId, counted: true, acknowledgedBy: 'test-admin-1' });

    const csvRes = await api(`/api/v1/sla/contracts/${contractId}/report?month=${month}&format=csv`);
    expect(csvRes.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csvRes.headers.get('content-disposition')).toMatch(/attachment; filename="sla-\d{4}-\d{2}-/);
    const bytes = new Uint8Array(await csvRes.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('运维单位 (operator),中国电信贵阳分公司');
    const header = lines.find((l) => l.startsWith('服务编号 (service id),服务 (service)'))!.split(',');
    const row = lines.find((l) => l.startsWith('extranet:520121,'))!.split(',');
    const cell = (name: string) => row[header.findIndex((h) => h.includes(name))];
    expect(cell('(UP)')).toBe(String(up));
    expect(cell('(DOWN)')).toBe(String(down));
    expect(cell('(NO_DATA)')).toBe(String(noData));
    expect(cell('(availability %)')).toBe(((up / (up + down)) * 100).toFixed(3));
    expect(cell('(target %)')).toBe('99.9');
    expect(cell('(met)')).toBe('否 (no)');
    expect(lines.some((l) => l.startsWith(`${incidentId},extranet:520121,`) && l.includes(',P1,') && l.includes(',10.0,'))).toBe(true);
    expect(csv).toMatch(/计算方法 \(method of calculation\)/);

    const htmlRes = await api(`/api/v1/sla/contracts/${contractId}/report?month=${month}&format=html`);
    expect(htmlRes.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await htmlRes.text();
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-CN">/);
    expect(html).toContain('计算方法 (method of calculation)');
    expect(html).toContain('可用率 (availability) = UP ÷ (UP + DOWN)');
    expect(html).toContain(((up / (up + down)) * 100).toFixed(3));
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('gives per-day figures and per-unit figures, and serves the live topic', async () => {
    const month = monthOf(downFrom);
    const { body } = await json(`/api/v1/sla/services/extranet:520121/days?month=${month}`);
    const day = body.days.find((d: { start: number }) => d.start <= downFrom && downFrom < d.start + 86_400_000);
    expect(day.figures.down).toBeGreaterThanOrEqual(1);
    const { body: units } = await json(`/api/v1/sla/units?month=${month}`);
    expect(units.units).toHaveLength(14);
    expect(units.units.find((u: { unit: string }) => u.unit === '520121')).toMatchObject({ incidents: { P1: 1, P2: 0, P3: 0 }, mttrMinutes: 10 });
    expect(live.snapshots[0].topic).toBe('sla');
    // Pushed on the socket once the late minutes were scored (this month only: skip at a month's first hour).
    if (monthOf(downFrom) === monthOf(Date.now())) {
      const frame = await live.waitForFrame<SlaLiveData>((f) => f.topic === 'sla' && !!f.data.services.find((x) => x.id === 'extranet:520121' && x.down === 10));
      expect(frame.data.services).toHaveLength(17);
      expect(frame.data.services.find((x) => x.id === 'extranet:520121')!.availabilityPct).toBeLessThan(100);
    }
  });

  it('maintenance windows: request, approve, refuse a second decision, reject another', async () => {
    const start = Math.ceil(Date.now() / MIN) * MIN + 60 * MIN;
    const w = await json('/api/v1/maintenance-windows', { method: 'POST', body: JSON.stringify({ title: '开阳汇聚设备割接', districts: ['520121'], schedule: { kind: 'once', start, end: start + 30 * MIN } }) });
    expect(w.status).toBe(201);
    expect(w.body).toMatchObject({ state: 'requested', requestedBy: 'test-admin-1' });
    // The actor is the session's user; a body naming someone else is refused, not silently rewritten.
    const claimed = await json('/api/v1/maintenance-windows', { method: 'POST', body: JSON.stringify({ title: 'x', districts: ['520121'], schedule: { kind: 'once', start, end: start + MIN }, requestedBy: 'someone-else' }) });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error.message).toMatch(/requestedBy/);
    const ok = await json(`/api/v1/maintenance-windows/${w.body.id}/approve`, { method: 'POST', body: JSON.stringify({}) });
    expect(ok.body).toMatchObject({ state: 'approved', decidedBy: 'test-admin-1' });
    expect((await json(`/api/v1/maintenance-windows/${w.body.id}/reject`, { method: 'POST', body: '{}' })).status).toBe(409);
    const weekly = await json('/api/v1/maintenance-windows', { method: 'POST', body: JSON.stringify({ title: 'weekly', services: ['share'], schedule: { kind: 'weekly', weekdays: [2], startTime: '01:00', durationMinutes: 60, from: start } }) });
    expect(weekly.status).toBe(201);
    expect((await json(`/api/v1/maintenance-windows/${weekly.body.id}/reject`, { method: 'POST', body: '{}' })).body.state).toBe('rejected');
    const bad = await json('/api/v1/maintenance-windows', { method: 'POST', body: JSON.stringify({ title: 'x', schedule: { kind: 'weekly', weekdays: [8], startTime: '25:00', durationMinutes: 0, from: start } }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/schedule\.weekdays\.0/);
    expect(bad.body.error.message).toMatch(/schedule\.startTime: must be a time HH:MM/);
    const { body } = await json('/api/v1/maintenance-windows');
    expect(body.windows).toHaveLength(2);
  });

  it('reclassifies a disputed outage with who and why; the report lists it', async () => {
    const r = await json('/api/v1/sla/reclassifications', { method: 'POST', body: JSON.stringify({ service: 'extranet:520121', from: downFrom, to: downTo, state: 'MAINT', reason: '事后确认为已通知的割接 (notified cutover)' }) });
    expect(r.status).toBe(201);
    const month = monthOf(downFrom);
    const { body: s } = await json(`/api/v1/sla/contracts/${contractId}/summary?month=${month}`);
    expect(s.services[0].figures.down).toBe(0);
    expect(s.services[0].incidents).toEqual([]);
    expect(s.reclassifications[0]).toMatchObject({ reason: '事后确认为已通知的割接 (notified cutover)', by: 'test-admin-1' });
    const csv = await (await api(`/api/v1/sla/contracts/${contractId}/report?month=${month}&format=csv`)).text();
    expect(csv).toContain('事后确认为已通知的割接 (notified cutover)');
  });
});

describe('SLA figures operators trust (issue 15)', () => {
  it('item 8: a month before the contract took effect: its CSV states that month, 合同未生效, never "now – now"', async () => {
    const { status, body: c } = await json('/api/v1/sla/contracts', { method: 'POST', body: JSON.stringify({ operator: '中国移动贵阳分公司', services: ['extranet:520121'], targetPct: 99.9 }) });
    expect(status).toBe(201);
    const thisMonth = monthOf(Date.now());
    const [y, m] = thisMonth.split('-').map(Number);
    const before = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    const { body: summary } = await json(`/api/v1/sla/contracts/${c.id}/summary?month=${before}`);
    const { start, end } = monthRange(before);
    expect(summary).toMatchObject({ from: end, to: end, effective: 'none', met: null });
    expect(summary.services[0].budget.leftPct).toBeNull();
    const csv = await (await api(`/api/v1/sla/contracts/${c.id}/report?month=${before}&format=csv`)).text();
    const local = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    const period = csv.split('\r\n').find((l) => l.includes('统计区间'))!;
    expect(period).toContain(`${local(start)} – ${local(end)}：合同未生效`);
    expect(period).not.toContain(`${local(c.effectiveFrom)} – ${local(c.effectiveFrom)}`);
    const html = await (await api(`/api/v1/sla/contracts/${c.id}/report?month=${before}&format=html`)).text();
    expect(html).toContain('合同未生效');
  });

  it('item 9: the calendar days of a contract add up to its month figures, NO_DATA included', async () => {
    const { body: c } = await json('/api/v1/sla/contracts', { method: 'POST', body: JSON.stringify({ operator: '中国电信贵阳分公司', services: ['extranet:520121'], targetPct: 99.9, effectiveFrom: first - 30 * MIN }) });
    const month = monthOf(first);
    const { body: summary } = await json(`/api/v1/sla/contracts/${c.id}/summary?month=${month}`);
    const { status, body } = await json(`/api/v1/sla/services/extranet:520121/days?month=${month}&contract=${c.id}`);
    expect(status).toBe(200);
    const f = summary.services[0].figures;
    expect(f.noData).toBeGreaterThan(0); // the 30 minutes before the collector's hour, and the minutes since
    const sum = (k: string) => body.days.reduce((a: number, d: { figures: Record<string, number> | null }) => a + (d.figures?.[k] ?? 0), 0);
    expect({ minutes: sum('minutes'), up: sum('up'), down: sum('down'), noData: sum('noData') }).toEqual({ minutes: f.minutes, up: f.up, down: f.down, noData: f.noData });
    const effectiveDay = body.days.findIndex((d: { start: number }) => d.start + 86_400_000 > c.effectiveFrom);
    expect(body.days.slice(0, effectiveDay).every((d: { state: string }) => d.state === 'notEffective')).toBe(true);
    expect((await json(`/api/v1/sla/services/extranet:520103/days?month=${month}&contract=${c.id}`)).status).toBe(404);
  });
});

describe('SLA demo contract', () => {
  it('ZHUYUN_SIMULATE=1 seeds one demo contract when there is none, and only one', async () => {
    const sim = await startTestServer({ ZHUYUN_SIMULATE: '1' });
    try {
      const list = async () => ((await (await sim.api('/api/v1/sla/contracts')).json()) as { contracts: Array<{ operator: string; services: string[]; targetPct: number }> }).contracts;
      const [c, ...more] = await list();
      expect(more).toEqual([]);
      expect(c).toMatchObject({ operator: '中国电信贵阳分公司', targetPct: 99.9 });
      expect(c.services).toHaveLength(14);
      await sim.app.get(SlaService).seedDemoContract(); // what the next start does
      expect(await list()).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});
