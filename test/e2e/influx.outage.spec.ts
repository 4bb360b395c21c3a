import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freshDatabaseName, influxdAvailable, influxQuery, startInfluxd, type Influxd } from '../support/influxd.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 3: with InfluxDB away the server keeps accepting into its outbox and delivers it, in order
 * and once, when InfluxDB is back. A real server (ZHUYUN_TSDB=influx) and a real influxd.
 */
const d = influxdAvailable() ? describe : describe.skip;

const MIN = 60_000;
const HOUR = 3_600_000;
const METRIC = 'net.latency_ms';

d('InfluxDB outage: nothing acknowledged is lost', () => {
  let influxd: Influxd;
  let server: TestServer;
  let token: string;
  const db = freshDatabaseName('zhuyun_outage');
  let batchSeq = 0;

  beforeAll(async () => {
    influxd = await startInfluxd();
    server = await startTestServer({ ZHUYUN_TSDB: 'influx', INFLUX_URL: `${influxd.url}/${db}` });
    token = await server.addCollector('nanming-edge-01', '520102');
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await influxd?.destroy();
  });

  async function ingest(points: Array<{ ts: number; value: number; node: string }>): Promise<{ status: number; body: { accepted: number } }> {
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        collector: 'nanming-edge-01',
        batch: `nanming-edge-01:${++batchSeq}`,
        points: points.map((p) => ({ metric: METRIC, ts: p.ts, value: p.value, tags: { district: '520102', node: p.node, target: 'city-core' } })),
      }),
    });
    return { status: res.status, body: await res.json() };
  }

  async function readyz() {
    const res = await fetch(`${server.url}/readyz`);
    return { status: res.status, body: await res.json() };
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (!m) throw new Error(`${name} not in /metrics`);
    return Number(m[1]);
  }

  async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Rows of one node's raw points, straight from InfluxDB, in time order. */
  async function rawRows(node: string): Promise<Array<[number, number]>> {
    const [r] = await influxQuery(influxd.url, `SELECT "value" FROM "${db}"."raw"."${METRIC}" WHERE "node" = '${node}' ORDER BY time ASC`);
    return (r.series?.[0]?.values ?? []) as Array<[number, number]>;
  }

  /** One node's rollup rows straight from InfluxDB: [bucket, mean, min, max, count, last]. */
  async function rollupRows(rp: 'm1' | 'h1', node: string): Promise<number[][]> {
    const [r] = await influxQuery(
      influxd.url,
      `SELECT "mean", "min", "max", "count", "last" FROM "${db}"."${rp}"."${METRIC}" WHERE "node" = '${node}' ORDER BY time ASC`,
    );
    return (r.series?.[0]?.values ?? []) as number[][];
  }

  function expectedRollups(points: Array<[number, number]>, width: number): number[][] {
    const buckets = new Map<number, number[]>();
    for (const [ts, v] of points) {
      const b = Math.floor(ts / width) * width;
      if (!buckets.has(b)) buckets.set(b, []);
      buckets.get(b)!.push(v);
    }
    return [...buckets].sort(([a], [b]) => a - b).map(([b, vs]) => [b, vs.reduce((a, x) => a + x, 0) / vs.length, Math.min(...vs), Math.max(...vs), vs.length, vs.at(-1)!]);
  }

  const close = (a: number[][], b: number[][]) =>
    a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((x, j) => Math.abs(x - b[i][j]) <= 1e-9 * Math.max(1, Math.abs(x))));

  it('stop InfluxDB, ingest N points (all 202), /readyz shows N waiting; start it: exactly N, in order, rollups right', async () => {
    // Working normally first.
    const warm = await ingest([{ ts: Date.now() - 1000, value: 1, node: 'nm-warm' }]);
    expect(warm.status).toBe(202);
    expect(await rawRows('nm-warm')).toHaveLength(1);
    const before = await readyz();
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: 'ready', degraded: false, checks: { 'tsdb:influx': { ok: true, backlog: 0 } } });
    expect(await metric('zhuyun_tsdb_up')).toBe(1);

    await influxd.stop();

    // N points over ~33 minutes, two hours back, in 20 batches; values distinct.
    const N = 2_000;
    const perBatch = 100;
    const t0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 17_000;
    const sent: Array<[number, number]> = Array.from({ length: N }, (_, i) => [t0 + i * 1_000, Math.round(((i * 37) % 101) * 100 + i) / 100]);
    for (let b = 0; b < N / perBatch; b++) {
      const r = await ingest(sent.slice(b * perBatch, (b + 1) * perBatch).map(([ts, value]) => ({ ts, value, node: 'nm-core-1' })));
      // Points hours old come with a clock_skew warning (issue 13 item 12): accepted all the same.
      expect(r).toMatchObject({ status: 202, body: { accepted: perBatch, rejected: [] } });
    }

    const during = await readyz();
    expect(during.status).toBe(200); // still accepting: ready, but degraded
    expect(during.body.status).toBe('ready');
    expect(during.body.degraded).toBe(true);
    expect(during.body.checks['tsdb:influx']).toMatchObject({ ok: true, backlog: N });
    expect(during.body.checks['tsdb:influx'].error).toMatch(/unreachable/);
    expect(await metric('zhuyun_tsdb_outbox_points')).toBe(N);
    expect(await metric('zhuyun_tsdb_up')).toBe(0);

    await influxd.start();
    await until('the backlog to drain', async () => (await readyz()).body.checks['tsdb:influx'].backlog === 0);

    const rows = await rawRows('nm-core-1');
    expect(rows).toHaveLength(N); // no more, no fewer
    expect(rows).toEqual(sent); // every point, its value, in time order

    // Rollups recomputed from what was delivered (polled: the recomputation follows the drain).
    const m1 = expectedRollups(sent, MIN);
    const h1 = expectedRollups(sent, HOUR);
    await until('the 1-minute rollups', async () => close(await rollupRows('m1', 'nm-core-1'), m1));
    await until('the 1-hour rollups', async () => close(await rollupRows('h1', 'nm-core-1'), h1));

    const after = await readyz();
    expect(after.body).toMatchObject({ status: 'ready', degraded: false, checks: { 'tsdb:influx': { ok: true, backlog: 0 } } });
    expect(await metric('zhuyun_tsdb_outbox_points')).toBe(0);
    expect(await metric('zhuyun_tsdb_up')).toBe(1);
  }, 90_000);

  it('values replaced during an outage come out as last sent; a replayed batch is stored once', async () => {
    await influxd.stop();
    const t0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const first = Array.from({ length: 50 }, (_, i) => ({ ts: t0 + i * 10_000, value: i, node: 'nm-core-2' }));
    const second = first.slice(0, 20).map((p) => ({ ...p, value: 1000 + p.value }));
    expect((await ingest(first)).status).toBe(202);
    expect((await ingest(second)).status).toBe(202);
    // A collector replaying its spool sends the first batch again under its own id: acknowledged, not stored again.
    const replay = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        collector: 'nanming-edge-01',
        batch: `nanming-edge-01:${batchSeq}`,
        points: second.map((p) => ({ metric: METRIC, ts: p.ts, value: p.value, tags: { district: '520102', node: p.node, target: 'city-core' } })),
      }),
    });
    expect(await replay.json()).toMatchObject({ duplicate: true });
    expect((await readyz()).body.checks['tsdb:influx'].backlog).toBe(70);

    await influxd.start();
    await until('the backlog to drain', async () => (await readyz()).body.checks['tsdb:influx'].backlog === 0);
    const expected: Array<[number, number]> = first.map((p, i) => [p.ts, i < 20 ? 1000 + i : i]);
    expect(await rawRows('nm-core-2')).toEqual(expected);
    await until('the rollups', async () => close(await rollupRows('h1', 'nm-core-2'), expectedRollups(expected, HOUR)));
    await until('the rollups', async () => close(await rollupRows('m1', 'nm-core-2'), expectedRollups(expected, MIN)));
  }, 90_000);
});
