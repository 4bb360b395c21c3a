import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Point } from '@zhuyun/protocol';
import { InfluxDB } from 'influx';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxTimeSeriesStore, type DropReason, type InfluxStoreOptions } from '../../server/src/storage/influx/influx.time-series.store.js';
import { DEFAULT_CQ } from '../../server/src/storage/influx/influx.rollup.js';
import { ensureSchema } from '../../server/src/storage/influx/influx.schema.js';
import { timeSeriesStoreContract } from '../../server/src/storage/time-series.store.contract.js';
import { DEFAULT_RETENTION } from '../../server/src/storage/time-series.store.js';
import { freshDatabaseName, influxdAvailable, influxQuery, startInfluxd, type Influxd } from '../support/influxd.js';

/** The InfluxDB 1.x adapter against a real influxd (Debian's `influxdb`), started for this file. */
const d = influxdAvailable() ? describe : describe.skip;

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

d('InfluxDB 1.x time-series store', () => {
  let influxd: Influxd;
  const dirs: string[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
  }, 30_000);
  afterAll(async () => {
    await influxd?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A store on a database of its own and an outbox in a temp dir. */
  function makeStore(over: Partial<InfluxStoreOptions> = {}) {
    const database = over.database ?? freshDatabaseName();
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-influx-store-'));
    dirs.push(dir);
    const dropped: Array<[number, DropReason]> = [];
    const store = new InfluxTimeSeriesStore({
      url: influxd.url,
      database,
      outboxPath: join(dir, 'influx-outbox.sqlite'),
      onDropped: (n, reason) => dropped.push([n, reason]),
      ...over,
    });
    return {
      store,
      database,
      dropped,
      cleanup: async () => {
        await influxQuery(influxd.url, `DROP DATABASE "${database}"`);
      },
    };
  }

  timeSeriesStoreContract(
    'influx',
    async () => {
      const { store, cleanup } = makeStore();
      await store.ready();
      return { store, cleanup };
    },
    { retentionFollowsNow: false },
  );

  const pt = (metric: string, ts: number, value: number, node: string, extra: Record<string, string> = {}): Point => ({
    metric,
    ts,
    value,
    tags: { district: '520103', unit: '520103', node, ...extra },
  });

  it('creates the database, the retention policies raw (default), m1, h1 with the configured spans, and the continuous queries', async () => {
    // A name that needs quoting in InfluxQL.
    const { store, database, cleanup } = makeStore({ database: freshDatabaseName('zhuyun-test.q') });
    await store.ready();
    // Set up again: nothing to change.
    expect(await ensureSchema({ url: influxd.url, database }, DEFAULT_RETENTION, DEFAULT_CQ)).toEqual({ createdDatabase: false, policies: [], continuousQueries: [] });
    const admin = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(influxd.url).port), database });
    try {
      expect(await admin.getDatabaseNames()).toContain(database);
      const rps = Object.fromEntries((await admin.showRetentionPolicies(database)).map((p) => [p.name, p]));
      expect(rps.raw).toMatchObject({ duration: '336h0m0s', default: true });
      expect(rps.m1).toMatchObject({ duration: '4320h0m0s', default: false });
      expect(rps.h1).toMatchObject({ duration: '43800h0m0s', default: false });
      const cqs = Object.fromEntries((await admin.showContinousQueries(database)).map((c) => [c.name, c.query]));
      expect(cqs.zhuyun_m1).toMatch(/RESAMPLE EVERY 1m FOR 10m/);
      expect(cqs.zhuyun_m1).toMatch(/INTO .*m1\.:MEASUREMENT FROM .*raw\.\/\.\*\/ GROUP BY time\(1m\), \*/);
      expect(cqs.zhuyun_h1).toMatch(/RESAMPLE EVERY 10m FOR 2h/);
      expect(cqs.zhuyun_h1).toMatch(/GROUP BY time\(1h\), \*/);
      await store.close();

      // Another start with other retention spans brings the policies in line; the CQs stay.
      const again = makeStore({ database, retention: { rawMs: 2 * DAY, minuteMs: 30 * DAY, hourMs: 400 * DAY } });
      await again.store.ready();
      const after = Object.fromEntries((await admin.showRetentionPolicies(database)).map((p) => [p.name, p]));
      expect(after.raw).toMatchObject({ duration: '48h0m0s', default: true });
      expect(after.m1.duration).toBe('720h0m0s');
      expect(after.h1.duration).toBe('9600h0m0s');
      expect((await admin.showContinousQueries(database)).map((c) => c.name).sort()).toEqual(['zhuyun_h1', 'zhuyun_m1']);
      expect(await again.store.applyRetention(Date.now() + 10 * 365 * DAY)).toEqual({ raw: 0, minute: 0, hour: 0 });
      await again.store.close();
    } finally {
      await cleanup();
    }
    expect(DEFAULT_RETENTION.rawMs).toBe(14 * DAY);
  });

  it('recent buckets are kept by the continuous queries (here run every second)', async () => {
    const { store, cleanup } = makeStore({ cq: { m1: { everyMs: 1_000, forMs: 10 * MIN }, h1: { everyMs: 1_000, forMs: 2 * HOUR } } });
    try {
      const now = Date.now();
      await store.write([pt('net.latency_ms', now - 2_000, 4, 'cq-1', { target: 'core' }), pt('net.latency_ms', now - 1_000, 8, 'cq-1', { target: 'core' })]);
      const q = { metric: 'net.latency_ms', match: { node: 'cq-1' }, from: now - HOUR, to: now + MIN };
      const minute = Math.floor((now - 2_000) / MIN) * MIN;
      const counted = async () =>
        (await store.query({ ...q, step: '1m' })).flatMap((s) => s.points).reduce((a, p) => a + (p[4] as number), 0);
      const deadline = Date.now() + 20_000;
      while ((await counted()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const series = await store.query({ ...q, step: '1m' });
      expect(series).toHaveLength(1);
      expect(series[0].tags).toEqual({ district: '520103', unit: '520103', node: 'cq-1', target: 'core' });
      expect(series[0].points.reduce((a, p) => a + (p[4] as number), 0)).toBe(2);
      expect(series[0].points[0][0]).toBe(minute);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('points InfluxDB refuses (field type conflict) are counted and dropped, not retried; the rest are kept', async () => {
    const { store, database, dropped, cleanup } = makeStore();
    try {
      await store.ready();
      const t = Date.now() - DAY;
      // Someone wrote an integer `value` into this measurement straight into InfluxDB.
      const res = await fetch(`${influxd.url}/write?db=${database}&rp=raw&precision=ms`, { method: 'POST', body: `net.conflict,district=520103,node=x value=1i ${t}` });
      expect(res.status).toBe(204);
      await store.write([pt('net.conflict', t + 1000, 2.5, 'y'), pt('net.latency_ms', t + 1000, 3, 'y')]);
      expect(dropped).toEqual([[1, 'rejected']]);
      expect(store.backlog).toBe(0);
      expect((await store.health()).ok).toBe(true);
      const kept = await store.query({ metric: 'net.latency_ms', match: { node: 'y' }, from: t, to: t + MIN, step: 'raw' });
      expect(kept[0].points).toEqual([[t + 1000, 3]]);
      expect(await store.query({ metric: 'net.latency_ms', match: { node: 'y' }, from: t, to: t + MIN, step: '1m' })).toHaveLength(1);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('a point line protocol cannot carry is counted and left out; the others are written', async () => {
    const { store, dropped, cleanup } = makeStore();
    try {
      const t = Date.now() - HOUR;
      await store.write([pt('net.up', t, 1, 'z', { target: 'two\nlines' }), pt('net.up', t, 1, 'z', { target: "o'neil, a=b" })]);
      expect(dropped).toEqual([[1, 'unrepresentable']]);
      const r = await store.query({ metric: 'net.up', match: { node: 'z', target: "o'neil, a=b" }, from: t, to: t, step: 'raw' });
      expect(r).toEqual([{ metric: 'net.up', tags: { district: '520103', unit: '520103', node: 'z', target: "o'neil, a=b" }, points: [[t, 1]] }]);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('with InfluxDB away, writes resolve into the outbox; back, it is delivered in order, once, with its rollups', async () => {
    const { store, database, cleanup } = makeStore({ backoffMs: { min: 50, max: 500 } });
    try {
      await store.ready();
      const t0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
      await store.write([pt('net.loss_pct', t0, 1, 'o1')]);
      await influxd.stop();
      const h = await store.health();
      expect(h.ok).toBe(true);
      expect(h.error).toMatch(/unreachable/);

      // 3 writes while away; the third replaces values of the first: the last write must win.
      await store.write(Array.from({ length: 100 }, (_, i) => pt('net.loss_pct', t0 + (i + 1) * 1000, i, 'o1')));
      await store.write(Array.from({ length: 100 }, (_, i) => pt('net.loss_pct', t0 + HOUR + i * 1000, i, 'o1')));
      await store.write(Array.from({ length: 10 }, (_, i) => pt('net.loss_pct', t0 + (i + 1) * 1000, 1000 + i, 'o1')));
      expect(store.backlog).toBe(210);
      expect(await store.health()).toMatchObject({ ok: true, backlog: 210 });
      await expect(store.query({ metric: 'net.loss_pct', match: {}, from: t0, to: t0 + 1, step: 'raw' })).rejects.toThrow(/unavailable/);

      await influxd.start();
      const deadline = Date.now() + 30_000;
      while ((store.backlog > 0 || store.pendingRollupBuckets > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(store.backlog).toBe(0);
      expect(store.pendingRollupBuckets).toBe(0);
      expect(await store.health()).toEqual({ ok: true, backlog: 0 });

      const [count] = await influxQuery(influxd.url, `SELECT count("value") FROM "${database}"."raw"."net.loss_pct"`);
      expect(count.series![0].values[0][1]).toBe(201);
      const raw = await store.query({ metric: 'net.loss_pct', match: { node: 'o1' }, from: t0, to: t0 + 2 * HOUR, step: 'raw' });
      const expected: Array<[number, number]> = [[t0, 1]];
      for (let i = 0; i < 100; i++) expected.push([t0 + (i + 1) * 1000, i < 10 ? 1000 + i : i]);
      for (let i = 0; i < 100; i++) expected.push([t0 + HOUR + i * 1000, i]);
      expect(raw[0].points).toEqual(expected);
      // Rollups recomputed from what was delivered.
      const h1 = await store.query({ metric: 'net.loss_pct', match: { node: 'o1' }, from: t0, to: t0 + 2 * HOUR, step: '1h' });
      const first = expected.filter(([ts]) => ts < t0 + HOUR).map(([, v]) => v);
      const second = expected.filter(([ts]) => ts >= t0 + HOUR).map(([, v]) => v);
      const agg = (vs: number[]) => [vs.reduce((a, b) => a + b, 0) / vs.length, Math.min(...vs), Math.max(...vs), vs.length];
      expect(h1[0].points).toEqual([[t0, ...agg(first)], [t0 + HOUR, ...agg(second)]]);
      const m1 = await store.query({ metric: 'net.loss_pct', match: { node: 'o1' }, from: t0, to: t0 + 2 * HOUR, step: '1m' });
      expect(m1[0].points.reduce((a, p) => a + (p[4] as number), 0)).toBe(201);
    } finally {
      await influxd.start();
      await store.close();
      await cleanup();
    }
  }, 60_000);

  it('an outbox left by a previous process is delivered at the next start', async () => {
    const database = freshDatabaseName();
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-influx-restart-'));
    dirs.push(dir);
    const outboxPath = join(dir, 'influx-outbox.sqlite');
    const t0 = Date.now() - 2 * HOUR;
    await influxd.stop();
    try {
      const first = new InfluxTimeSeriesStore({ url: influxd.url, database, outboxPath });
      await first.write(Array.from({ length: 50 }, (_, i) => pt('net.jitter_ms', t0 + i * 1000, i, 'r1')));
      expect(first.backlog).toBe(50);
      await first.close();
    } finally {
      await influxd.start();
    }
    const second = new InfluxTimeSeriesStore({ url: influxd.url, database, outboxPath, backoffMs: { min: 50, max: 500 } });
    try {
      const deadline = Date.now() + 20_000;
      while ((second.backlog > 0 || second.pendingRollupBuckets > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const r = await second.query({ metric: 'net.jitter_ms', match: { node: 'r1' }, from: t0, to: t0 + HOUR, step: 'raw' });
      expect(r[0].points).toHaveLength(50);
      const h = await second.query({ metric: 'net.jitter_ms', match: { node: 'r1' }, from: t0, to: t0 + HOUR, step: '1h' });
      expect(h[0].points.reduce((a, p) => a + (p[4] as number), 0)).toBe(50);
    } finally {
      await second.close();
      await influxQuery(influxd.url, `DROP DATABASE "${database}"`);
    }
  }, 60_000);
});
