import { afterAll, describe, expect, it } from '@jest/globals';
import { addMonths, monthOf, monthRange, type HistoryFillStatus } from '@zhuyun/protocol';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The demo's first start fills the last full month and this month from the simulation (issue 14):
 * SLA months, month over month in the comparison, alert history, hourly trends; once only; and
 * nothing with ZHUYUN_SIMULATE_HISTORY=0. The small fleet (14 units × 4 nodes and the platforms).
 */
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
});

async function start(env: Record<string, string>): Promise<TestServer> {
  const s = await startTestServer({ ZHUYUN_SIMULATE: '1', ...env });
  servers.push(s);
  return s;
}

async function status(s: TestServer): Promise<HistoryFillStatus> {
  const res = await s.api('/api/v1/simulation/history');
  expect(res.status).toBe(200);
  return (await res.json()) as HistoryFillStatus;
}

/** Waits until the fill is over; returns what the status said along the way. */
async function settled(s: TestServer): Promise<{ last: HistoryFillStatus; seen: HistoryFillStatus[] }> {
  const seen: HistoryFillStatus[] = [];
  for (;;) {
    const st = await status(s);
    seen.push(st);
    if (st.state !== 'running' && st.state !== 'waiting') return { last: st, seen };
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface UnitsBody {
  month: string;
  units: Array<{ unit: string; availabilityPct: number | null; up: number; down: number; noData: number }>;
}
interface ComparisonBody {
  rows: Array<{ unit: string; availability: { availabilityPct: number | null } | null; delta: { availabilityPct: number | null } }>;
}

const thisMonth = monthOf(Date.now());
const lastMonth = addMonths(thisMonth, -1);

describe('simulated history (ZHUYUN_SIMULATE_HISTORY)', () => {
  let server: TestServer;
  let first: HistoryFillStatus;

  it('fills the last full month and this month once, reporting its progress', async () => {
    server = await start({ ZHUYUN_SIMULATE_HISTORY: '1' });
    const { last, seen } = await settled(server);
    first = last;
    expect(last).toMatchObject({ state: 'done', percent: 100, from: monthRange(lastMonth).from });
    expect(last.to).toBeLessThanOrEqual(Date.now());
    for (const st of seen.filter((x) => x.state === 'running')) expect(st.percent).toBeGreaterThanOrEqual(0);
  }, 600_000);

  it('gives the SLA figures of last month and this month (not 无数据)', async () => {
    for (const month of [lastMonth, thisMonth]) {
      const body = (await (await server.api(`/api/v1/sla/units?month=${month}`)).json()) as UnitsBody;
      expect(body.units).toHaveLength(14);
      for (const u of body.units) {
        expect(u.availabilityPct).not.toBeNull();
        expect(u.availabilityPct!).toBeGreaterThan(95);
        expect(u.up).toBeGreaterThan(0);
      }
      if (month === lastMonth) {
        // The whole month is measured: no minute without evidence.
        const { from, to } = monthRange(month);
        for (const u of body.units) {
          expect(u.noData).toBe(0);
          expect(u.up + u.down).toBe((to - from) / 60_000);
        }
      }
    }
    // Random faults took some unit cores down: some DOWN minutes over a month and a half.
    const last = (await (await server.api(`/api/v1/sla/units?month=${lastMonth}`)).json()) as UnitsBody;
    expect(last.units.reduce((a, u) => a + u.down, 0)).toBeGreaterThan(0);
    const { incidents } = (await (await server.api(`/api/v1/sla/incidents?month=${lastMonth}`)).json()) as { incidents: Array<{ start: number; end: number; open: boolean }> };
    expect(incidents.length).toBeGreaterThan(0);
    for (const i of incidents) expect(i).toMatchObject({ open: false });
  });

  it('gives the comparison month over month', async () => {
    const body = (await (await server.api(`/api/v1/comparison?month=${thisMonth}`)).json()) as ComparisonBody;
    expect(body.rows).toHaveLength(14);
    for (const r of body.rows) {
      expect(r.availability?.availabilityPct).not.toBeNull();
      expect(r.delta.availabilityPct).not.toBeNull();
    }
  });

  it('keeps the alerts the faults raised and closed last month', async () => {
    const alerts = (await (await server.api('/api/v1/alerts?state=resolved&limit=1000')).json()) as Array<{ activeAt: number; resolvedAt: number; severity: string; ruleId: string }>;
    const { from, to } = monthRange(lastMonth);
    const lastMonths = alerts.filter((a) => a.activeAt >= from && a.activeAt < to);
    expect(lastMonths.length).toBeGreaterThan(0);
    for (const a of lastMonths) {
      expect(a.severity).toBe('P1');
      expect(a.resolvedAt).toBeGreaterThan(a.activeAt);
    }
  });

  it('answers a trend over last month from hourly rollups', async () => {
    const { from, to } = monthRange(lastMonth);
    const res = await server.api(`/api/v1/series?metric=net.latency_ms&district=520102&from=${from}&to=${to - 1}&step=1h`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { series: Array<{ tags: Record<string, string>; points: number[][] }> };
    expect(body.series.length).toBe(4); // the core and its 3 access nodes
    for (const s of body.series) {
      expect(s.points).toHaveLength((to - from) / 3_600_000);
      for (const [, mean, min, max] of s.points) {
        expect(min).toBeLessThanOrEqual(mean);
        expect(mean).toBeLessThanOrEqual(max);
        expect(mean).toBeGreaterThan(0);
      }
    }
  });

  it('does not fill again on a restart', async () => {
    await server.stop();
    const again = await start({ ZHUYUN_SIMULATE_HISTORY: '1', ZHUYUN_DATA_DIR: server.dataDir });
    const { last } = await settled(again);
    expect(last.state).toBe('skipped');
    const alerts = (await (await again.api('/api/v1/alerts?state=resolved&limit=1000')).json()) as Array<{ activeAt: number }>;
    const { from } = monthRange(lastMonth);
    // The same alerts, not twice as many: none before the first fill's end was added.
    expect(alerts.filter((a) => a.activeAt < first.to!).length).toBe(alerts.filter((a) => a.activeAt >= from && a.activeAt < first.to!).length);
    const series = (await (await again.api(`/api/v1/series?metric=net.up&node=520102-core-1&from=${from}&to=${first.to}&step=1h`)).json()) as { series: Array<{ points: number[][] }> };
    // One bucket's count is the samples of one hour (a 1 s core: 3,600), not twice that.
    for (const [, , , , count] of series.series[0].points.slice(0, 24)) expect(count).toBe(3_600);
  }, 60_000);

  it('fills nothing with ZHUYUN_SIMULATE_HISTORY=0', async () => {
    const off = await start({ ZHUYUN_SIMULATE_HISTORY: '0' });
    expect((await status(off)).state).toBe('off');
    const body = (await (await off.api(`/api/v1/sla/units?month=${lastMonth}`)).json()) as UnitsBody;
    for (const u of body.units) expect(u.availabilityPct).toBeNull();
    const alerts = (await (await off.api('/api/v1/alerts?state=resolved&limit=1000')).json()) as unknown[];
    expect(alerts).toHaveLength(0);
    const { from, to } = monthRange(lastMonth);
    const series = (await (await off.api(`/api/v1/series?metric=net.latency_ms&district=520102&from=${from}&to=${to - 1}&step=1h`)).json()) as { series: unknown[] };
    expect(series.series).toHaveLength(0);
  });

  it('is off for the other specs\' servers (startTestServer) even when they simulate', async () => {
    const plain = await startTestServer({ ZHUYUN_SIMULATE: '1' });
    servers.push(plain);
    expect((await status(plain)).state).toBe('off');
  });
});
