import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('yunyan-edge-01', '520103');
});
afterAll(() => server.close());

function post(body: unknown, headers: Record<string, string> = {}, raw?: Uint8Array | string) {
  return fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: (raw ?? JSON.stringify(body)) as BodyInit,
  });
}

/** Rows in the time-series file, read straight from SQLite. */
function storedPoints(metric?: string): number {
  const db = new Database(join(server.dataDir, 'tsdb.sqlite'), { readonly: true });
  try {
    const row = metric
      ? db.prepare('SELECT count(*) n FROM points JOIN series ON series.id = series_id WHERE metric = ?').get(metric)
      : db.prepare('SELECT count(*) n FROM points').get();
    return (row as { n: number }).n;
  } finally {
    db.close();
  }
}

const point = (over: Record<string, unknown> = {}) => ({
  metric: 'net.latency_ms',
  ts: Date.now() - 1000,
  value: 12.3,
  tags: { district: '520103', node: 'yy-core-1', target: 'city-core' },
  ...over,
});

describe('POST /api/v1/ingest', () => {
  it('stores good points, rejects bad ones one by one with reasons', async () => {
    const before = storedPoints();
    const res = await post({
      collector: 'yunyan-edge-01',
      batch: 'yunyan-edge-01:1',
      points: [
        point(),
        point({ metric: 'Bad Name' }),
        point({ value: 'NaN' }),
        point({ tags: { district: '999999', node: 'x' } }),
        point({ ts: Date.now() + 3_600_000 }),
        point({ metric: 'net.loss_pct', value: 0 }),
      ],
    });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3, 4]);
    expect(body.rejected[0].error).toMatch(/not a metric name/);
    expect(body.rejected[1].error).toMatch(/finite number/);
    expect(body.rejected[2].error).toMatch(/unknown district "999999"/);
    expect(body.rejected[3].error).toMatch(/future/);
    expect(storedPoints() - before).toBe(2);
  });

  it('acknowledges a repeated batch without storing it twice', async () => {
    const batch = { collector: 'yunyan-edge-01', batch: 'yunyan-edge-01:dup', points: [point({ ts: Date.now() - 5000, value: 7 }), point({ ts: Date.now() - 4000, value: 8 })] };
    const first = await (await post(batch)).json();
    const count = storedPoints();
    const again = await post(batch);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ accepted: first.accepted, rejected: [], duplicate: true });
    expect(storedPoints()).toBe(count);
  });

  it('takes a gzip body', async () => {
    const before = storedPoints('net.jitter_ms');
    const body = gzipSync(JSON.stringify({ collector: 'yunyan-edge-01', batch: 'yunyan-edge-01:gz', points: [point({ metric: 'net.jitter_ms', value: 2 })] }));
    const res = await post(null, { 'content-encoding': 'gzip' }, body);
    expect(res.status).toBe(202);
    expect(storedPoints('net.jitter_ms') - before).toBe(1);
  });

  describe('answers a malformed request with the right 4xx and stores nothing', () => {
    const cases: Array<[string, () => Promise<Response>, number, RegExp]> = [
      ['no token', () => post(goodBatch(), { authorization: '' }), 401, /missing bearer token/],
      ['an unknown token', () => post(goodBatch(), { authorization: 'Bearer zy_nope' }), 401, /unknown collector token/],
      ['a token of another collector', () => post({ ...goodBatch(), collector: 'someone-else' }), 403, /belongs to collector yunyan-edge-01/],
      ['invalid JSON', () => post(null, {}, '{"collector": '), 400, /not valid JSON/],
      ['a JSON array', () => post([point()]), 400, /must be a JSON object/],
      ['a text body', () => post(null, { 'content-type': 'text/plain' }, 'hello'), 400, /Content-Type: application\/json/],
      ['no batch id', () => post({ collector: 'yunyan-edge-01', points: [point()] }), 400, /batch: /],
      ['points not an array', () => post({ collector: 'yunyan-edge-01', batch: 'b', points: 'x' }), 400, /points: /],
      ['too many points', () => post({ ...goodBatch(), points: Array.from({ length: 10_001 }, () => point()) }), 413, /at most 10000/],
      ['a body over the size limit', () => post(null, {}, `{"collector":"yunyan-edge-01","batch":"big","points":[],"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`), 413, /larger than/],
    ];
    it.each(cases)('%s', async (_name, send, status, message) => {
      const before = storedPoints();
      const res = await send();
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.error.message).toMatch(message);
      expect(storedPoints()).toBe(before);
    });
  });

  it('refuses a revoked token', async () => {
    const t = await server.addCollector('short-lived', '520102');
    const { CollectorTokensService } = await import('../../server/src/auth/collector-tokens.service.js');
    await server.app.get(CollectorTokensService).revoke('short-lived');
    const res = await post({ ...goodBatch(), collector: 'short-lived' }, { authorization: `Bearer ${t}` });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/revoked/);
  });
});

function goodBatch() {
  return { collector: 'yunyan-edge-01', batch: `yunyan-edge-01:${Math.random()}`, points: [point()] };
}

describe('GET /api/v1/series and /api/v1/districts', () => {
  it('returns stored points of a district, raw for a short range', async () => {
    const t0 = Date.now() - 60_000;
    await post({
      collector: 'yunyan-edge-01',
      batch: 'yunyan-edge-01:series',
      points: [30, 20, 10].map((s, i) => point({ metric: 'net.if_util_pct', ts: t0 + s * 1000, value: i, tags: { district: '520103', node: 'yy-core-2' } })),
    });
    const res = await server.api(`/api/v1/series?metric=net.if_util_pct&district=520103&from=${t0}&to=${t0 + 60_000}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.step).toBe('raw');
    expect(body.series).toHaveLength(1);
    expect(body.series[0].tags).toMatchObject({ district: '520103', unit: '520103', node: 'yy-core-2' });
    expect(body.series[0].points).toEqual([[t0 + 10_000, 2], [t0 + 20_000, 1], [t0 + 30_000, 0]]);
    const bucketed = await (await server.api(`/api/v1/series?metric=net.if_util_pct&node=yy-core-2&from=${t0 - 86_400_000}&to=${t0 + 60_000}`)).json();
    expect(bucketed.step).toBe('1m');
    const sum = bucketed.series[0].points.reduce((a: number, p: number[]) => a + p[4], 0);
    expect(sum).toBe(3);
  });

  it('explains a bad series query', async () => {
    const res = await server.api(`/api/v1/series?metric=net.latency_ms&from=yesterday`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/from="yesterday"/);
    const res2 = await server.api(`/api/v1/series`);
    expect(res2.status).toBe(400);
    expect((await res2.json()).error.message).toMatch(/metric/);
  });

  it('lists the ten districts and four zones with status and node counts', async () => {
    const body = await (await server.api(`/api/v1/districts`)).json();
    expect(body.units).toHaveLength(14);
    const yunyan = body.units.find((u: { code: string }) => u.code === '520103');
    expect(yunyan).toMatchObject({ zh: '云岩区', kind: 'district' });
    expect(yunyan.nodes).toBeGreaterThanOrEqual(1);
    expect(['up', 'degraded', 'down']).toContain(yunyan.status);
    expect(body.units.find((u: { code: string }) => u.code === 'gy-hitech')).toMatchObject({ kind: 'zone', status: 'unknown', nodes: 0 });
  });
});

describe('GET /api/v1/collectors', () => {
  it('lists collectors with the version they send, when last seen, and never a token', async () => {
    await server.addCollector('never-reports', '520112');
    const res = await post({ ...goodBatch() }, { 'user-agent': 'zhuyun-collector/0.1.0' });
    expect(res.status).toBe(202);
    const body = await (await server.api(`/api/v1/collectors`)).json();
    const me = body.collectors.find((c: { id: string }) => c.id === 'yunyan-edge-01');
    expect(me).toMatchObject({ district: '520103', state: 'ok', version: 'zhuyun-collector/0.1.0' });
    expect(me.silentS).toBeLessThan(60);
    expect(body.collectors.find((c: { id: string }) => c.id === 'never-reports')).toMatchObject({ state: 'never_seen', lastSeen: null });
    expect(body.counts.ok).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(body)).not.toMatch(/token|zy_/);
  });
});

describe('operations', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks['tsdb:sqlite'].ok).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/zhuyun_ingest_batches_total\{outcome="stored"\} \d+/);
    expect(metrics).toMatch(/zhuyun_ingest_points_total\{result="rejected"\} \d+/);
  });
});
