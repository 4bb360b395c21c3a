import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_DISTRICT_FRAME_NODES, type DistrictData, type IngestResult, type LiveFrame, type SeriesResponse } from '@zhuyun/protocol';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 13 item 3, "Cardinality has limits": one collector, inside the rate limit, floods a district
 * with 5,000 new node names. The limits (set low through the environment, so that the test is
 * fast) refuse what is over them point by point with a reason; /metrics counts it; the built-in
 * "cardinality limit hit" alert fires; /healthz answers; an honest client watching that district
 * keeps its socket and gets a bounded frame; the district's series query still returns the honest
 * nodes. Loopback only, a bounded number of points.
 */
const UNIT = '520103';
const HONEST = ['zz-core-1', 'zz-agg-1', 'zz-acc-1', 'zz-acc-2', 'zz-acc-3'];
const FLOOD = 5_000;
const LIMITS = {
  ZHUYUN_MAX_NODES_PER_UNIT: '600',
  ZHUYUN_MAX_NODES_PER_COLLECTOR: '560',
  ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '1000',
};

async function ingest(server: TestServer, token: string, collector: string, batch: string, points: unknown[]): Promise<IngestResult> {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector, batch, points }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as IngestResult;
}

const latency = (node: string, value = 3, tags: Record<string, string> = {}) => ({ metric: 'net.latency_ms', ts: Date.now() - 500, value, tags: { district: UNIT, node, ...tags } });

async function metric(server: TestServer, series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('cardinality limits under a flood of node names', () => {
  let server: TestServer;
  let honestToken: string;
  let floodToken: string;
  let live: LiveTestClient;
  const results: IngestResult[] = [];

  beforeAll(async () => {
    server = await startTestServer(LIMITS);
    honestToken = await server.addCollector('honest-01', UNIT);
    floodToken = await server.addCollector('flood-01', UNIT);
    // The honest fleet, one node of it down (a problem shows first in a truncated frame).
    await ingest(server, honestToken, 'honest-01', 'h-1', [...HONEST.map((n) => latency(n)), { metric: 'net.up', ts: Date.now() - 500, value: 0, tags: { district: UNIT, node: 'zz-acc-3' } }]);
    // A district user of that district watches it live.
    live = new LiveTestClient(server.url, await server.login('district', { district: UNIT }));
    await live.connected();
    expect(await live.subscribe([`district:${UNIT}`])).toEqual({ subscribed: [`district:${UNIT}`], rejected: [] });
    // The flood: 5,000 new node names sorting before the honest ones, in five batches of 1,000.
    for (let b = 0; b < FLOOD / 1_000; b++) {
      const points = Array.from({ length: 1_000 }, (_, i) => latency(`aa-fake-${String(b * 1_000 + i).padStart(5, '0')}`, 5));
      results.push(await ingest(server, floodToken, 'flood-01', `f-${b}`, points));
    }
  }, 60_000);

  afterAll(async () => {
    live?.close();
    await server?.close();
  });

  it('refuses the new nodes past the limit one by one, with a reason naming the limit and the node', () => {
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    const rejected = results.flatMap((r) => r.rejected);
    expect(accepted).toBe(560);
    expect(rejected).toHaveLength(FLOOD - 560);
    expect(rejected[0].error).toMatch(/^cardinality limit: collector flood-01 already reports 560 nodes.*ZHUYUN_MAX_NODES_PER_COLLECTOR=560.*new node "aa-fake-00560" refused/);
    expect(results[0].rejected[0].index).toBe(560);
  });

  it('keeps taking every point of the honest collector\'s known nodes', async () => {
    const r = await ingest(server, honestToken, 'honest-01', 'h-2', HONEST.map((n) => latency(n, 4)));
    expect(r).toEqual({ accepted: HONEST.length, rejected: [] });
  });

  it('refuses a new node of another collector once the unit is full, and a flood of new series past the per-minute allowance', async () => {
    const other = await server.addCollector('flood-02', UNIT);
    const r = await ingest(server, other, 'flood-02', 'g-1', Array.from({ length: 100 }, (_, i) => latency(`bb-fake-${i}`)));
    // 565 nodes known, 600 allowed.
    expect(r.accepted).toBe(35);
    expect(r.rejected[0].error).toMatch(/^cardinality limit: unit 520103 already has 600 nodes.*ZHUYUN_MAX_NODES_PER_UNIT=600/);
    // One known node, 1,500 new series (targets): 1,000 a minute pass.
    const targets = await ingest(server, honestToken, 'honest-01', 'h-3', Array.from({ length: 1_500 }, (_, i) => latency('zz-core-1', 3, { target: `t-${i}` })));
    expect(targets.accepted).toBeLessThanOrEqual(1_000);
    expect(targets.accepted).toBeGreaterThanOrEqual(990);
    expect(targets.rejected.at(-1)!.error).toMatch(/^cardinality limit: collector honest-01 made more new series than allowed per minute.*ZHUYUN_MAX_NEW_SERIES_PER_MINUTE=1000/);
  });

  it('counts the refusals on /metrics by reason and by limit', async () => {
    expect(await metric(server, 'zhuyun_ingest_cardinality_refused_points_total{limit="collector_nodes"}')).toBe(FLOOD - 560);
    expect(await metric(server, 'zhuyun_ingest_cardinality_refused_points_total{limit="unit_nodes"}')).toBe(65);
    expect(await metric(server, 'zhuyun_ingest_cardinality_refused_points_total{limit="new_series_rate"}')).toBeGreaterThanOrEqual(500);
    expect(await metric(server, 'zhuyun_ingest_rejected_points_total{reason="cardinality"}')).toBeGreaterThanOrEqual(FLOOD - 560 + 65 + 500);
  });

  it('raises the built-in "cardinality limit hit" alert for ops, naming the collector', async () => {
    let open: Array<{ ruleId: string; node: string; state: string; severity: string; value: number }> = [];
    for (let i = 0; i < 40 && !open.some((a) => a.node === 'flood-01'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      open = (await (await server.api('/api/v1/alerts?state=firing')).json()) as typeof open;
    }
    const alert = open.find((a) => a.node === 'flood-01');
    expect(alert).toMatchObject({ ruleId: 'default-cardinality-limit', state: 'firing', severity: 'P2' });
    // The points refused when it fired (the flood may have been under way).
    expect(alert!.value).toBeGreaterThan(0);
  }, 30_000);

  it('answers /healthz', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('keeps the honest live client connected, with a bounded frame: worst first, counts complete', async () => {
    const f = await live.waitForFrame<DistrictData>((x) => x.topic === `district:${UNIT}` && x.data.total === 600);
    expect(live.socket.connected).toBe(true);
    expect(f.data.nodes).toHaveLength(MAX_DISTRICT_FRAME_NODES);
    expect(f.data).toMatchObject({ total: 600, truncated: true });
    const c = f.data.unit.counts;
    expect(c.up + c.degraded + c.down + c.unknown).toBe(600);
    expect(f.data.nodes[0]).toMatchObject({ id: 'zz-acc-3', status: 'down' });
    // Bounded: a few hundred kilobytes, whatever the flood (it was 11–22 MB in the issue).
    expect(JSON.stringify(f).length).toBeLessThan(1_000_000);
    // Still served a second later.
    const seq = (live.frames.at(-1) as LiveFrame).seq;
    await ingest(server, honestToken, 'honest-01', 'h-4', [latency('zz-core-2-new-is-refused'), { metric: 'net.up', ts: Date.now(), value: 1, tags: { district: UNIT, node: 'zz-acc-3' } }]);
    await live.waitForFrame<DistrictData>((x) => x.seq > seq && x.data.unit.counts.down === 0 && x.data.nodes[0]?.id !== 'zz-acc-3');
    expect(live.socket.connected).toBe(true);
  });

  it('still returns the honest nodes from the district\'s series query', async () => {
    const res = await server.api(`/api/v1/series?metric=net.latency_ms&district=${UNIT}&step=raw`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as SeriesResponse;
    const nodes = new Set(body.series.map((s) => s.tags.node));
    for (const n of HONEST) expect(nodes).toContain(n);
    expect(body.series.length).toBeLessThanOrEqual(1_000);
  });
});

describe('forgetting silent nodes (ZHUYUN_NODE_FORGET_AFTER)', () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it('forgets a node silent longer than the setting, which frees its room under the limits', async () => {
    server = await startTestServer({ ZHUYUN_MAX_NODES_PER_UNIT: '3', ZHUYUN_NODE_FORGET_AFTER: '2s' });
    const token = await server.addCollector('edge-01', UNIT);
    expect((await ingest(server, token, 'edge-01', 'a', ['old-1', 'old-2', 'old-3'].map((n) => latency(n)))).accepted).toBe(3);
    const full = await ingest(server, token, 'edge-01', 'b', [latency('new-1')]);
    expect(full.rejected[0].error).toMatch(/unit 520103 already has 3 nodes/);
    const known = async () => ((await (await server.api('/api/v1/topology')).json()) as { nodes: Array<{ node: string }> }).nodes.map((n) => n.node);
    expect(await known()).toEqual(['old-1', 'old-2', 'old-3']);
    // old-3 keeps reporting; old-1 and old-2 fall silent.
    let forgotten = false;
    for (let i = 0; i < 20 && !forgotten; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await ingest(server, token, 'edge-01', `keep-${i}`, [latency('old-3')]);
      forgotten = !(await known()).includes('old-1');
    }
    expect(await known()).toEqual(['old-3']);
    const after = await ingest(server, token, 'edge-01', 'c', [latency('new-1'), latency('new-2'), latency('new-3')]);
    expect(after.accepted).toBe(2);
    expect(after.rejected[0].error).toMatch(/unit 520103 already has 3 nodes/);
  }, 30_000);
});
