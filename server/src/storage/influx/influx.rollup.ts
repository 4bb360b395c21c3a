import { quoteIdent, quoteString, influxDuration } from './influx.lines.js';

/**
 * Rollups on InfluxDB: which buckets a write touched, which of them the continuous queries will
 * still see, and the `SELECT ... INTO` statements that recompute the others. Pure functions.
 *
 * The rollup retention policies `m1` and `h1` hold, per series (same measurement and tags as the
 * raw point) and bucket, the fields min, max, mean, count and last, all computed from the raw
 * points, so that recomputing a bucket overwrites its point with the same or a corrected one:
 * recomputation is idempotent, and a replayed or replaced raw point corrects its buckets.
 */

export type Resolution = 'm1' | 'h1';
export const RESOLUTIONS: readonly Resolution[] = ['m1', 'h1'];
export const RES_MS: Record<Resolution, number> = { m1: 60_000, h1: 3_600_000 };

/** When a continuous query runs (`RESAMPLE EVERY`) and how far back each run looks (`FOR`). */
export interface CqTiming {
  everyMs: number;
  forMs: number;
}

/**
 * Defaults: the 1-minute CQ runs every minute over the last 10 minutes, the 1-hour CQ every 10
 * minutes over the last 2 hours. Each run re-reads its whole window of raw points, so a longer
 * FOR costs InfluxDB more reads; the explicit recomputation after each write covers what is older.
 */
export const DEFAULT_CQ: Record<Resolution, CqTiming> = {
  m1: { everyMs: 60_000, forMs: 10 * 60_000 },
  h1: { everyMs: 10 * 60_000, forMs: 2 * 3_600_000 },
};

/** Start of the bucket of `width` ms holding `ts` (UTC, like InfluxDB's GROUP BY time()). */
export function bucketStart(ts: number, width: number): number {
  return Math.floor(ts / width) * width;
}

/**
 * The oldest bucket start that the continuous query is still sure to recompute after a write made
 * at `now`: its next run comes within `every` and looks back `for`; one more `every` (at least a
 * minute) is kept as a margin for clock skew between this server and InfluxDB and for a slow run.
 * Buckets starting before this are recomputed explicitly.
 */
export function cqHorizon(now: number, cq: CqTiming, width: number): number {
  const margin = Math.max(cq.everyMs, 60_000);
  return bucketStart(now - cq.forMs + cq.everyMs + margin, width) + width;
}

/** The CQ that keeps one rollup resolution up to date from the raw points. */
export function continuousQuery(db: string, res: Resolution, cq: CqTiming): { name: string; resample: string; select: string } {
  return {
    name: `zhuyun_${res}`,
    resample: `RESAMPLE EVERY ${influxDuration(cq.everyMs)} FOR ${influxDuration(cq.forMs)}`,
    select: `${AGGREGATES} INTO ${quoteIdent(db)}.${quoteIdent(res)}.:MEASUREMENT FROM ${quoteIdent(db)}."raw"./.*/ GROUP BY time(${influxDuration(RES_MS[res])}), *`,
  };
}

const AGGREGATES =
  'SELECT min("value") AS "min", max("value") AS "max", mean("value") AS "mean", count("value") AS "count", last("value") AS "last"';

/**
 * What a set of points touched: per measurement, the minute buckets, and per minute bucket the
 * nodes (when known), so that a recomputation can be narrowed to the series of those nodes.
 */
export class TouchedBuckets {
  /** measurement -> minute bucket start -> nodes (null: unknown, recompute every series). */
  readonly minutes = new Map<string, Map<number, Set<string> | null>>();

  add(measurement: string, ts: number, node: string | undefined): void {
    let m = this.minutes.get(measurement);
    if (!m) this.minutes.set(measurement, (m = new Map()));
    const b = bucketStart(ts, RES_MS.m1);
    const nodes = m.get(b);
    if (nodes === undefined) m.set(b, node === undefined ? null : new Set([node]));
    else if (nodes !== null) {
      if (node === undefined) m.set(b, null);
      else nodes.add(node);
    }
  }

  merge(other: TouchedBuckets): this {
    for (const [measurement, minutes] of other.minutes) {
      for (const [b, nodes] of minutes) {
        if (nodes === null) this.add(measurement, b, undefined);
        else for (const n of nodes) this.add(measurement, b, n);
      }
    }
    return this;
  }

  get empty(): boolean {
    return this.minutes.size === 0;
  }

  /** measurement -> minute buckets, for the outbox (nodes are not kept there). */
  toJSON(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [measurement, minutes] of this.minutes) out[measurement] = [...minutes.keys()];
    return out;
  }

  static fromJSON(json: Record<string, number[]>): TouchedBuckets {
    const t = new TouchedBuckets();
    for (const [measurement, buckets] of Object.entries(json)) for (const b of buckets) t.add(measurement, b, undefined);
    return t;
  }

  /** The buckets of one resolution, each with the measurements and nodes that touched it. */
  buckets(res: Resolution): Map<number, BucketWork> {
    const out = new Map<number, BucketWork>();
    for (const [measurement, minutes] of this.minutes) {
      for (const [minute, nodes] of minutes) {
        const b = bucketStart(minute, RES_MS[res]);
        let w = out.get(b);
        if (!w) out.set(b, (w = { measurements: new Set(), nodes: new Set() }));
        w.measurements.add(measurement);
        if (nodes === null || w.nodes === null) w.nodes = null;
        else for (const n of nodes) w.nodes.add(n);
      }
    }
    return out;
  }

  /** One row per resolution, bucket and measurement (the outbox's table of buckets to recompute). */
  rows(filter?: (res: Resolution, bucket: number) => boolean): DirtyBucket[] {
    const out: DirtyBucket[] = [];
    for (const res of RESOLUTIONS) {
      for (const [bucket, w] of this.buckets(res)) {
        if (filter && !filter(res, bucket)) continue;
        for (const measurement of w.measurements) out.push({ res, bucket, measurement });
      }
    }
    return out;
  }
}

export interface BucketWork {
  measurements: Set<string>;
  /** null: every series of the measurements. */
  nodes: Set<string> | null;
}

export interface DirtyBucket {
  res: Resolution;
  bucket: number;
  measurement: string;
}

/** Limits on one recomputation statement. */
export interface StatementLimits {
  /** Widest time range one statement covers, per resolution. */
  maxSpanMs: Record<Resolution, number>;
  /** More nodes than this in one statement and it recomputes every series of the measurements. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: StatementLimits = { maxSpanMs: { m1: 6 * 3_600_000, h1: 7 * 86_400_000 }, maxNodes: 64 };

/**
 * `SELECT ... INTO` statements that recompute the given buckets of one resolution from the raw
 * points. Neighbouring buckets are merged into one time range (their measurements and nodes
 * united: recomputing a few extra buckets is harmless), up to the span limit.
 */
export function recomputeStatements(
  db: string,
  res: Resolution,
  buckets: Map<number, BucketWork>,
  limits: StatementLimits = DEFAULT_LIMITS,
): string[] {
  const width = RES_MS[res];
  const starts = [...buckets.keys()].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < starts.length) {
    const from = starts[i];
    const measurements = new Set<string>();
    let nodes: Set<string> | null = new Set<string>();
    let end = from;
    while (i < starts.length && starts[i] === end && end - from < limits.maxSpanMs[res]) {
      const w = buckets.get(starts[i])!;
      for (const m of w.measurements) measurements.add(m);
      if (w.nodes === null || nodes === null) nodes = null;
      else for (const n of w.nodes) nodes.add(n);
      end += width;
      i++;
    }
    if (nodes !== null && nodes.size > limits.maxNodes) nodes = null;
    out.push(recomputeStatement(db, res, [...measurements].sort(), nodes && [...nodes].sort(), from, end));
  }
  return out;
}

/** One statement: the buckets of `res` in [from, to) for the given measurements (and nodes). */
export function recomputeStatement(db: string, res: Resolution, measurements: string[], nodes: string[] | null, from: number, to: number): string {
  const sources = measurements.map((m) => `${quoteIdent(db)}."raw".${quoteIdent(m)}`).join(', ');
  const where = [`time >= ${from}ms`, `time < ${to}ms`];
  if (nodes && nodes.length) where.unshift(`(${nodes.map((n) => `"node" = ${quoteString(n)}`).join(' OR ')})`);
  return `${AGGREGATES} INTO ${quoteIdent(db)}.${quoteIdent(res)}.:MEASUREMENT FROM ${sources} WHERE ${where.join(' AND ')} GROUP BY time(${influxDuration(RES_MS[res])}), *`;
}

/** All statements for a set of touched buckets, both resolutions, optionally only some buckets. */
export function planRecompute(
  db: string,
  touched: TouchedBuckets,
  filter?: (res: Resolution, bucket: number) => boolean,
  limits: StatementLimits = DEFAULT_LIMITS,
): string[] {
  const out: string[] = [];
  for (const res of RESOLUTIONS) {
    const all = touched.buckets(res);
    if (filter) for (const b of [...all.keys()]) if (!filter(res, b)) all.delete(b);
    out.push(...recomputeStatements(db, res, all, limits));
  }
  return out;
}

/** The outbox's dirty rows as statements (no node filter: the rows do not keep nodes). */
export function dirtyStatements(db: string, rows: readonly DirtyBucket[], limits: StatementLimits = DEFAULT_LIMITS): string[] {
  const out: string[] = [];
  for (const res of RESOLUTIONS) {
    const buckets = new Map<number, BucketWork>();
    for (const r of rows) {
      if (r.res !== res) continue;
      let w = buckets.get(r.bucket);
      if (!w) buckets.set(r.bucket, (w = { measurements: new Set(), nodes: null }));
      w.measurements.add(r.measurement);
    }
    out.push(...recomputeStatements(db, res, buckets, limits));
  }
  return out;
}
