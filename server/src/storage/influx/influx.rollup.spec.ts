import { describe, expect, it } from '@jest/globals';
import {
  bucketStart,
  continuousQuery,
  cqHorizon,
  DEFAULT_CQ,
  dirtyStatements,
  planRecompute,
  recomputeStatements,
  TouchedBuckets,
  type BucketWork,
} from './influx.rollup.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0); // an hour boundary

describe('buckets', () => {
  it('start at UTC minute and hour boundaries, also before 1970', () => {
    expect(bucketStart(T0 + 59_999, MIN)).toBe(T0);
    expect(bucketStart(T0 + 60_000, MIN)).toBe(T0 + MIN);
    expect(bucketStart(T0 + HOUR - 1, HOUR)).toBe(T0);
    expect(bucketStart(-1, MIN)).toBe(-MIN);
  });

  it('leave to the CQ only what its next run is sure to see, with a margin', () => {
    // m1: every 1m for 10m: the next run (within 1m) looks back to now - 9m; a minute of margin.
    const now = T0 + 30 * MIN + 30_000;
    expect(cqHorizon(now, DEFAULT_CQ.m1, MIN)).toBe(T0 + 23 * MIN);
    // h1: every 10m for 2h: at 8:30 the previous hour (7:00) is still in reach, 6:00 not.
    expect(cqHorizon(now, DEFAULT_CQ.h1, HOUR)).toBe(T0 - HOUR);
    // at 8:59 only the current hour is left to it.
    expect(cqHorizon(T0 + 59 * MIN, DEFAULT_CQ.h1, HOUR)).toBe(T0);
  });
});

describe('TouchedBuckets', () => {
  it('keeps minute buckets and nodes per measurement, and rolls them up to hours', () => {
    const t = new TouchedBuckets();
    t.add('net.latency_ms', T0 + 1_000, 'a');
    t.add('net.latency_ms', T0 + 59_000, 'b');
    t.add('net.latency_ms', T0 + HOUR + 1, 'a');
    t.add('net.loss_pct', T0 + 5 * MIN, 'c');
    expect(t.toJSON()).toEqual({ 'net.latency_ms': [T0, T0 + HOUR], 'net.loss_pct': [T0 + 5 * MIN] });
    const hours = t.buckets('h1');
    expect([...hours.keys()]).toEqual([T0, T0 + HOUR]);
    expect(hours.get(T0)).toEqual({ measurements: new Set(['net.latency_ms', 'net.loss_pct']), nodes: new Set(['a', 'b', 'c']) });
    expect(t.rows()).toHaveLength(3 + 3);
  });

  it('from the outbox (no nodes) means every series', () => {
    const t = TouchedBuckets.fromJSON({ 'net.up': [T0, T0 + MIN] });
    expect(t.buckets('m1').get(T0)!.nodes).toBeNull();
    expect(new TouchedBuckets().merge(t).buckets('h1').get(T0)).toEqual({ measurements: new Set(['net.up']), nodes: null });
  });
});

describe('recomputation statements', () => {
  const work = (m: string[], nodes: string[] | null): BucketWork => ({ measurements: new Set(m), nodes: nodes && new Set(nodes) });

  it('one SELECT INTO per run of neighbouring buckets, narrowed to the nodes written', () => {
    const b = new Map([
      [T0, work(['net.latency_ms'], ['yy-core-1'])],
      [T0 + MIN, work(['net.loss_pct'], ["o'neil"])],
      [T0 + 10 * MIN, work(['net.latency_ms'], ['yy-core-1'])],
    ]);
    expect(recomputeStatements('zhuyun', 'm1', b)).toEqual([
      'SELECT min("value") AS "min", max("value") AS "max", mean("value") AS "mean", count("value") AS "count", last("value") AS "last"' +
        ' INTO "zhuyun"."m1".:MEASUREMENT FROM "zhuyun"."raw"."net.latency_ms", "zhuyun"."raw"."net.loss_pct"' +
        ` WHERE ("node" = 'o\\'neil' OR "node" = 'yy-core-1') AND time >= ${T0}ms AND time < ${T0 + 2 * MIN}ms GROUP BY time(1m), *`,
      'SELECT min("value") AS "min", max("value") AS "max", mean("value") AS "mean", count("value") AS "count", last("value") AS "last"' +
        ' INTO "zhuyun"."m1".:MEASUREMENT FROM "zhuyun"."raw"."net.latency_ms"' +
        ` WHERE ("node" = 'yy-core-1') AND time >= ${T0 + 10 * MIN}ms AND time < ${T0 + 11 * MIN}ms GROUP BY time(1m), *`,
    ]);
  });

  it('splits long runs, and drops the node filter when too many nodes or unknown', () => {
    const long = new Map(Array.from({ length: 10 * 60 }, (_, i) => [T0 + i * MIN, work(['m.x'], [`n${i % 3}`])] as const));
    const s = recomputeStatements('db', 'm1', long, { maxSpanMs: { m1: 6 * HOUR, h1: 7 * 86_400_000 }, maxNodes: 2 });
    expect(s).toHaveLength(2);
    expect(s[0]).toContain(`time >= ${T0}ms AND time < ${T0 + 6 * HOUR}ms`);
    expect(s[1]).toContain(`time >= ${T0 + 6 * HOUR}ms AND time < ${T0 + 10 * HOUR}ms`);
    expect(s[0]).not.toContain('"node"');
    const unknown = recomputeStatements('db', 'h1', new Map([[T0, work(['m.x'], null)]]));
    expect(unknown[0]).toBe(
      'SELECT min("value") AS "min", max("value") AS "max", mean("value") AS "mean", count("value") AS "count", last("value") AS "last"' +
        ` INTO "db"."h1".:MEASUREMENT FROM "db"."raw"."m.x" WHERE time >= ${T0}ms AND time < ${T0 + HOUR}ms GROUP BY time(1h), *`,
    );
  });

  it('plans both resolutions, only for the buckets asked', () => {
    const t = new TouchedBuckets();
    t.add('net.up', T0 - 3 * HOUR, 'a'); // old: recomputed
    t.add('net.up', T0 + 5_000, 'a'); // recent: left to the CQ
    const old = (_res: string, b: number) => b < T0;
    const s = planRecompute('db', t, old);
    expect(s).toHaveLength(2);
    expect(s[0]).toContain('"m1"');
    expect(s[0]).toContain(`time >= ${T0 - 3 * HOUR}ms AND time < ${T0 - 3 * HOUR + MIN}ms`);
    expect(s[1]).toContain('"h1"');
    expect(s[1]).toContain(`time >= ${T0 - 3 * HOUR}ms AND time < ${T0 - 2 * HOUR}ms`);
    expect(dirtyStatements('db', t.rows(old))).toEqual(s.map((x) => x.replace(`("node" = 'a') AND `, '')));
  });

  it('the continuous queries aggregate the same fields from every raw measurement', () => {
    const cq = continuousQuery('zhuyun', 'h1', DEFAULT_CQ.h1);
    expect(cq.name).toBe('zhuyun_h1');
    expect(cq.resample).toBe('RESAMPLE EVERY 10m FOR 2h');
    expect(cq.select).toContain('INTO "zhuyun"."h1".:MEASUREMENT FROM "zhuyun"."raw"./.*/ GROUP BY time(1h), *');
  });
});
