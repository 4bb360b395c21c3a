import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMonths, monthOf, monthRange } from '@zhuyun/protocol';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('platforms-01', '520115', ['gy-hitech']);
});
afterAll(() => server.close());

const HOUR = 3_600_000;

describe('district comparison', () => {
  it('counts platform use city-wide, not for the unit where its collector stands (issue 15 item 14)', async () => {
    // Three points one hour apart inside one Beijing month: in this month unless it began less than
    // four hours ago, then at the end of the previous one (still within ingest's 14-day window).
    const now = Date.now();
    const thisMonth = monthOf(now);
    const month = now - monthRange(thisMonth).from > 4 * HOUR ? thisMonth : addMonths(thisMonth, -1);
    const base = Math.min(now - 3 * HOUR, monthRange(month).to - 4 * HOUR);
    const values = [1_000, 1_400, 1_900];
    const points = values.flatMap((v, i) => [
      { metric: 'share.api_calls_total', ts: base + i * HOUR, value: v, tags: { district: '520115', node: 'share-gw' } },
      { metric: 'open.downloads_total', ts: base + i * HOUR, value: 10 * (i + 1), tags: { district: 'gy-hitech', node: 'open-gw' } },
    ]);
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ collector: 'platforms-01', batch: 'cmp-1', points }),
    });
    expect(res.status).toBe(202);

    const body = (await (await server.api(`/api/v1/comparison?month=${month}`)).json()) as {
      month: string;
      previousMonth: string;
      rows: Array<Record<string, unknown> & { unit: string }>;
      platform: { shareApiCalls: number; openDownloads: number } | null;
      sources: Record<string, boolean>;
    };
    expect(body.month).toBe(month);
    expect(body.previousMonth).toBe(addMonths(month, -1));
    expect(body.rows).toHaveLength(14);
    // The counters' district tag is where the collector stands, not who called: one city figure.
    expect(body.platform).toMatchObject({ shareApiCalls: 900, openDownloads: 20 });
    for (const r of body.rows) expect(r).not.toHaveProperty('platform');

    const zonesOnly = (await (await server.api(`/api/v1/comparison?month=${month}&zones=only`)).json()) as { rows: unknown[] };
    expect(zonesOnly.rows).toHaveLength(4);

    const csv = await server.api(`/api/v1/comparison?month=${month}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.split('\r\n').find((l) => l.startsWith('520115'))).toMatch(/^520115,观山湖区,区县,/);
    const [header, ...lines] = text.slice(1).split('\r\n');
    const cols = header.split(',');
    const gsh = lines.find((l) => l.startsWith('520115'))!.split(',');
    expect(gsh[cols.indexOf('共享接口调用(share API calls)')]).toBe('');
    const city = lines.find((l) => l.startsWith('city,'))!.split(',');
    expect(city[cols.indexOf('共享接口调用(share API calls)')]).toBe('900');
  });

  it('states coverage beside availability, and leaves a month with nothing measured a gap (items 12, 13)', async () => {
    const now = monthOf(Date.now());
    const body = (await (await server.api(`/api/v1/comparison?month=${now}`)).json()) as {
      coverageMinPct: number;
      rows: Array<{ unit: string; coverage: { measuredMinutes: number; elapsedMinutes: number; pct: number | null } | null; lowCoverage: boolean }>;
    };
    expect(body.coverageMinPct).toBe(90);
    for (const r of body.rows) {
      expect(r.coverage).not.toBeNull();
      expect(r.coverage!.measuredMinutes).toBeLessThanOrEqual(r.coverage!.elapsedMinutes);
      // A test server measured nothing of the month before it started: thin coverage, marked.
      if (r.coverage!.elapsedMinutes > 60) expect(r.lowCoverage).toBe(true);
    }

    // Three months ago nothing was measured: no P1 count, no MTTR, no change; empty cells in the CSV.
    const old = addMonths(now, -3);
    const past = (await (await server.api(`/api/v1/comparison?month=${old}`)).json()) as {
      rows: Array<{ unit: string; availability: { availabilityPct: number | null } | null; p1Incidents: number | null; coverage: { pct: number | null }; delta: Record<string, number | null> }>;
    };
    for (const r of past.rows) {
      expect(r.p1Incidents).toBeNull();
      expect(r.availability?.availabilityPct ?? null).toBeNull();
      expect(r.coverage.pct).toBe(0);
      expect(r.delta.p1Incidents).toBeNull();
      expect(r.delta.availabilityPct).toBeNull();
    }
    const text = await (await server.api(`/api/v1/comparison?month=${old}&format=csv`)).text();
    const [header, ...lines] = text.replace(/^\uFEFF/, '').split('\r\n');
    const cols = header.split(',');
    const yy = lines.find((l) => l.startsWith('520103,'))!.split(',');
    expect(yy[cols.indexOf('P1事件(P1 incidents)')]).toBe('');
    expect(yy[cols.indexOf('覆盖率%(coverage)')]).toBe('0.0');
  });

  it.each([
    ['month=2026-13', /month/],
    ['zones=some', /zones/],
    ['format=xml', /format/],
    ['colour=red', /colour|Unrecognized|unrecognized/],
  ])('answers %s with a 400 naming the field', async (qs, pattern) => {
    const res = await server.api(`/api/v1/comparison?${qs}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(pattern);
  });
});
