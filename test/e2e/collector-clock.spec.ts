// Issue 13 item 12, "A slow collector clock is said, not hidden": points more than 2 minutes old
// were accepted while their nodes stayed "unknown", with no hint. Now the ingest answer carries a
// clock_skew warning, and the collector's estimated skew is in GET /api/v1/collectors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
const MIN = 60_000;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('baiyun-edge-01', '520113');
});
afterAll(() => server.close());

/** A batch from a collector whose clock reads `skew` ms off the server's; `header`: whether it says its clock. */
async function send(batch: string, skew: number, header = true) {
  const ts = Date.now() + skew;
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(header ? { 'x-zhuyun-sent-at': String(ts) } : {}) },
    body: JSON.stringify({ collector: 'baiyun-edge-01', batch, points: [{ metric: 'net.up', ts: ts - 1_000, value: 1, tags: { district: '520113', node: 'by-core-1' } }] }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { accepted: number; rejected: unknown[]; warnings?: Array<{ code: string; message: string; skewMs: number }> };
}

async function skewOf(): Promise<number | null | undefined> {
  const body = (await (await server.api('/api/v1/collectors')).json()) as { collectors: Array<{ id: string; clockSkewMs: number | null }> };
  return body.collectors.find((c) => c.id === 'baiyun-edge-01')?.clockSkewMs;
}

async function nodeStatus(): Promise<string | undefined> {
  const body = (await (await server.api('/api/v1/topology')).json()) as { nodes: Array<{ node: string; status: string }> };
  return body.nodes.find((n) => n.node === 'by-core-1')?.status;
}

describe('a collector clock five minutes slow', () => {
  it('is said in the answer (from x-zhuyun-sent-at) and in GET /api/v1/collectors; the points are stored, the node not live', async () => {
    expect(await skewOf()).toBeNull();
    const r = await send('slow-1', -5 * MIN);
    expect(r.accepted).toBe(1);
    expect(r.warnings).toHaveLength(1);
    const [w] = r.warnings!;
    expect(w.code).toBe('clock_skew');
    // The request's own travel time is in it: a bound of a minute, not a timing.
    expect(w.skewMs).toBeLessThan(-4 * MIN);
    expect(w.skewMs).toBeGreaterThan(-6 * MIN);
    expect(w.message).toMatch(/^collector clock is [45] min \d+ s behind the server's \(by its x-zhuyun-sent-at header\): 1 of 1 points are more than 2 min from server time .*nodes stay "unknown"/);
    expect(await nodeStatus()).toBe('unknown');
    const listed = await skewOf();
    expect(listed).toBeLessThan(-4 * MIN);
    expect(listed).toBeGreaterThan(-6 * MIN);
  });

  it('is estimated from the newest point when the collector sends no header (a replay looks the same)', async () => {
    const r = await send('slow-2', -5 * MIN, false);
    expect(r.warnings?.[0]).toMatchObject({ code: 'clock_skew', message: expect.stringMatching(/behind the server's \(judged by its newest point; a spool replay/) });
  });

  it('a clock three minutes fast (inside the 5 min accepted): said too', async () => {
    const r = await send('fast-1', 3 * MIN);
    expect(r.accepted).toBe(1);
    expect(r.warnings?.[0]).toMatchObject({ code: 'clock_skew', message: expect.stringMatching(/^collector clock is [23] min \d+ s ahead of the server's/) });
    expect(await skewOf()).toBeGreaterThan(2 * MIN);
  });

  it('a right clock: no warning, the node live, the skew near 0', async () => {
    const r = await send('right-1', 0);
    expect(r).toEqual({ accepted: 1, rejected: [] });
    expect(await nodeStatus()).not.toBe('unknown');
    expect(Math.abs((await skewOf())!)).toBeLessThan(MIN);
  });

  it('a spool replay from a right clock (old points, header now): no warning', async () => {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-zhuyun-sent-at': String(Date.now()) },
      body: JSON.stringify({ collector: 'baiyun-edge-01', batch: 'replay-1', points: [{ metric: 'net.up', ts: Date.now() - 30 * MIN, value: 1, tags: { district: '520113', node: 'by-core-1' } }] }),
    });
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
  });

  it('a header that is not epoch ms: 400 naming it', async () => {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-zhuyun-sent-at': 'yesterday' },
      body: JSON.stringify({ collector: 'baiyun-edge-01', batch: 'bad-header', points: [] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^header x-zhuyun-sent-at "yesterday" must be/);
  });

  it('over /write (no header): the skew from the newest point reaches GET /api/v1/collectors', async () => {
    const res = await fetch(`${server.url}/write?db=zhuyun&precision=ms`, {
      method: 'POST',
      headers: { authorization: `Token ${token}` },
      body: `net,district=520113,node=by-core-1 up=1 ${Date.now() - 10 * MIN}`,
    });
    expect(res.status).toBe(204);
    expect(await skewOf()).toBeLessThan(-9 * MIN);
  });
});
