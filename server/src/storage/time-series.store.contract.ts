import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Point, SeriesData } from '@zhuyun/protocol';
import type { TimeSeriesStore } from './time-series.store.js';

/**
 * The behaviour every TimeSeriesStore adapter must have (STYLE rule 2). Each adapter's spec calls
 * this with a factory giving a fresh, empty store. Run against SQLite (a temp file) and a real
 * InfluxDB 1.x.
 */
export interface ContractOptions {
  /**
   * Whether `applyRetention(now)` removes data by the `now` it is given. InfluxDB drops by its own
   * clock through retention policies, so its adapter tests retention separately.
   */
  retentionFollowsNow?: boolean;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function timeSeriesStoreContract(
  name: string,
  make: () => Promise<{ store: TimeSeriesStore; cleanup?: () => Promise<void> }>,
  options: ContractOptions = {},
): void {
  describe(`TimeSeriesStore contract: ${name}`, () => {
    let store: TimeSeriesStore;
    let cleanup: (() => Promise<void>) | undefined;
    // An hour boundary two days back: inside every retention, and buckets are easy to name.
    const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * DAY;
    let seq = 0;
    /** A fresh node id per test, so tests do not see each other's series. */
    const node = () => `n${++seq}`;
    const pt = (metric: string, ts: number, value: number, tags: Record<string, string>): Point => ({
      metric,
      ts,
      value,
      tags: { district: '520103', unit: '520103', ...tags } as Point['tags'],
    });
    const one = async (q: Parameters<TimeSeriesStore['query']>[0]): Promise<SeriesData> => {
      const r = await store.query(q);
      expect(r).toHaveLength(1);
      return r[0];
    };

    beforeAll(async () => {
      ({ store, cleanup } = await make());
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('reads back what was written, raw, ascending, whatever the write order', async () => {
      const n = node();
      await store.write([pt('net.latency_ms', base + 3000, 3, { node: n }), pt('net.latency_ms', base + 1000, 1, { node: n })]);
      await store.write([pt('net.latency_ms', base + 2000, 2.5, { node: n })]);
      const s = await one({ metric: 'net.latency_ms', match: { node: n }, from: base, to: base + MIN, step: 'raw' });
      expect(s.metric).toBe('net.latency_ms');
      expect(s.tags).toMatchObject({ district: '520103', unit: '520103', node: n });
      expect(s.points).toEqual([[base + 1000, 1], [base + 2000, 2.5], [base + 3000, 3]]);
    });

    it('keeps series apart by tags and filters on district, unit, node and other tags', async () => {
      const n = node();
      await store.write([
        pt('net.latency_ms', base, 1, { node: n, target: 'core' }),
        pt('net.latency_ms', base, 2, { node: n, target: 'cloud' }),
        pt('net.latency_ms', base, 3, { node: n, district: '520113', unit: 'gy-hitech' }),
        pt('net.loss_pct', base, 4, { node: n }),
      ]);
      const q = { metric: 'net.latency_ms', from: base, to: base + 1, step: 'raw' as const };
      expect(await store.query({ ...q, match: { node: n } })).toHaveLength(3);
      const cloud = await one({ ...q, match: { node: n, target: 'cloud' } });
      expect(cloud.points).toEqual([[base, 2]]);
      const zone = await one({ ...q, match: { node: n, unit: 'gy-hitech' } });
      expect(zone.tags).toMatchObject({ district: '520113', unit: 'gy-hitech' });
      expect(await store.query({ ...q, match: { node: n, district: '520113' } })).toHaveLength(1);
      expect(await store.query({ ...q, match: { node: 'nobody' } })).toEqual([]);
    });

    it('keeps tag values holding , = and \\ apart: {target:"x", u2:"y"} and {target:"x,u2=y"} are two series', async () => {
      const n = node();
      await store.write([
        pt('net.latency_ms', base, 1, { node: n, target: 'x', u2: 'y' }),
        pt('net.latency_ms', base, 2, { node: n, target: 'x,u2=y' }),
        pt('net.latency_ms', base, 3, { node: n, target: 'eth0 = uplink, 10G' }),
        pt('net.latency_ms', base, 4, { node: n, target: 'C:\\data' }),
      ]);
      const q = { metric: 'net.latency_ms', from: base, to: base + 1, step: 'raw' as const };
      const all = await store.query({ ...q, match: { node: n } });
      const byTarget = Object.fromEntries(all.map((s) => [s.tags.target, { u2: s.tags.u2, points: s.points }]));
      expect(byTarget).toEqual({
        x: { u2: 'y', points: [[base, 1]] },
        'x,u2=y': { u2: undefined, points: [[base, 2]] },
        'eth0 = uplink, 10G': { u2: undefined, points: [[base, 3]] },
        'C:\\data': { u2: undefined, points: [[base, 4]] },
      });
      expect((await one({ ...q, match: { node: n, target: 'x,u2=y' } })).points).toEqual([[base, 2]]);
    });

    it('leaves out series with no points in the range', async () => {
      const n = node();
      await store.write([pt('net.jitter_ms', base, 1, { node: n })]);
      expect(await store.query({ metric: 'net.jitter_ms', match: { node: n }, from: base + HOUR, to: base + 2 * HOUR, step: 'raw' })).toEqual([]);
      expect(await store.query({ metric: 'net.jitter_ms', match: { node: n }, from: base + HOUR, to: base + 2 * HOUR, step: '1m' })).toEqual([]);
    });

    it('rolls up per minute and per hour: mean, min, max, count', async () => {
      const n = node();
      await store.write([
        pt('net.latency_ms', base + 1_000, 2, { node: n }),
        pt('net.latency_ms', base + 20_000, 4, { node: n }),
        pt('net.latency_ms', base + 59_999, 9, { node: n }),
        pt('net.latency_ms', base + MIN + 5_000, 10, { node: n }),
        pt('net.latency_ms', base + HOUR + 7_000, 7, { node: n }),
      ]);
      const m = await one({ metric: 'net.latency_ms', match: { node: n }, from: base, to: base + 2 * HOUR, step: '1m' });
      expect(m.points).toEqual([
        [base, 5, 2, 9, 3],
        [base + MIN, 10, 10, 10, 1],
        [base + HOUR, 7, 7, 7, 1],
      ]);
      const h = await one({ metric: 'net.latency_ms', match: { node: n }, from: base, to: base + 2 * HOUR, step: '1h' });
      expect(h.points).toEqual([
        [base, 6.25, 2, 10, 4],
        [base + HOUR, 7, 7, 7, 1],
      ]);
    });

    it('a repeated point replaces the stored one and never counts twice', async () => {
      const n = node();
      const batch = [pt('net.loss_pct', base + 1000, 1, { node: n }), pt('net.loss_pct', base + 2000, 3, { node: n })];
      await store.write(batch);
      await store.write(batch); // a replayed batch
      const q = { metric: 'net.loss_pct', match: { node: n }, from: base, to: base + MIN };
      expect((await one({ ...q, step: 'raw' })).points).toEqual([[base + 1000, 1], [base + 2000, 3]]);
      expect((await one({ ...q, step: '1m' })).points).toEqual([[base, 2, 1, 3, 2]]);
      expect((await one({ ...q, step: '1h' })).points).toEqual([[base, 2, 1, 3, 2]]);
      // Same ts, new value: replaced, and the buckets follow.
      await store.write([pt('net.loss_pct', base + 2000, 5, { node: n })]);
      expect((await one({ ...q, step: 'raw' })).points).toEqual([[base + 1000, 1], [base + 2000, 5]]);
      expect((await one({ ...q, step: '1m' })).points).toEqual([[base, 3, 1, 5, 2]]);
      expect((await one({ ...q, step: '1h' })).points).toEqual([[base, 3, 1, 5, 2]]);
    });

    it('a late point lands in its old bucket and corrects the rollups', async () => {
      const n = node();
      const old = base - 30 * HOUR; // a spool replay from more than a day back
      await store.write([pt('net.latency_ms', old + 10_000, 4, { node: n })]);
      await store.write([pt('net.latency_ms', base, 1, { node: n })]); // newer data in between
      await store.write([pt('net.latency_ms', old + 30_000, 8, { node: n })]); // the late one
      const q = { metric: 'net.latency_ms', match: { node: n }, from: old, to: old + HOUR - 1 };
      expect((await one({ ...q, step: '1m' })).points).toEqual([[old, 6, 4, 8, 2]]);
      expect((await one({ ...q, step: '1h' })).points).toEqual([[old, 6, 4, 8, 2]]);
    });

    it('takes a large write in one call', async () => {
      const n = node();
      const points = Array.from({ length: 12_000 }, (_, i) => pt('net.if_in_bps', base + i * 1000, i, { node: n }));
      await store.write(points);
      const raw = await one({ metric: 'net.if_in_bps', match: { node: n }, from: base, to: base + 12_000 * 1000, step: 'raw' });
      expect(raw.points).toHaveLength(12_000);
      const h = await one({ metric: 'net.if_in_bps', match: { node: n }, from: base, to: base + 4 * HOUR, step: '1h' });
      expect(h.points.map((p) => p[4])).toEqual([3600, 3600, 3600, 1200]);
    });

    it('reports itself healthy', async () => {
      const h = await store.health();
      expect(h.ok).toBe(true);
    });

    if (options.retentionFollowsNow !== false) {
      it('retention drops each resolution after its own age, and keeps the coarser ones', async () => {
        const n = node();
        await store.write([pt('net.up', base + 1000, 1, { node: n }), pt('net.up', base + 2000, 0, { node: n })]);
        const q = { metric: 'net.up', match: { node: n }, from: base, to: base + MIN };
        await store.applyRetention(base + 13 * DAY);
        expect((await one({ ...q, step: 'raw' })).points).toHaveLength(2);
        const r1 = await store.applyRetention(base + 15 * DAY);
        expect(r1.raw).toBeGreaterThanOrEqual(2);
        expect(await store.query({ ...q, step: 'raw' })).toEqual([]);
        expect((await one({ ...q, step: '1m' })).points).toEqual([[base, 0.5, 0, 1, 2]]);
        await store.applyRetention(base + 181 * DAY);
        expect(await store.query({ ...q, step: '1m' })).toEqual([]);
        expect((await one({ ...q, step: '1h' })).points).toEqual([[base, 0.5, 0, 1, 2]]);
        await store.applyRetention(base + 6 * 365 * DAY);
        expect(await store.query({ ...q, step: '1h' })).toEqual([]);
      });
    }
  });
}
