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
  it('attributes platform counter growth to the unit that reports it, month over month', async () => {
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
      rows: Array<{ unit: string; platform: { shareApiCalls: number; openDownloads: number } | null }>;
      sources: Record<string, boolean>;
    };
    expect(body.month).toBe(month);
    expect(body.previousMonth).toBe(addMonths(month, -1));
    expect(body.rows).toHaveLength(14);
    expect(body.rows.find((r) => r.unit === '520115')?.platform).toMatchObject({ shareApiCalls: 900, openDownloads: 0 });
    expect(body.rows.find((r) => r.unit === 'gy-hitech')?.platform).toMatchObject({ openDownloads: 20, shareApiCalls: 0 });
    expect(body.rows.find((r) => r.unit === '520103')?.platform).toBeNull();

    const zonesOnly = (await (await server.api(`/api/v1/comparison?month=${month}&zones=only`)).json()) as { rows: unknown[] };
    expect(zonesOnly.rows).toHaveLength(4);

    const csv = await server.api(`/api/v1/comparison?month=${month}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.split('\r\n').find((l) => l.startsWith('520115'))).toMatch(/^520115,观山湖区,区县,/);
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
