import type { Point, SeriesData, Step } from '@zhuyun/protocol';

/** Token of the configured TimeSeriesStore. Other modules inject the port, never an adapter. */
export const TIME_SERIES_STORE = Symbol('TIME_SERIES_STORE');

export interface RangeQuery {
  metric: string;
  /** Exact-match tag filters (district, unit, node...). */
  match: Record<string, string>;
  /** Inclusive epoch ms. */
  from: number;
  /** Inclusive epoch ms. */
  to: number;
  step: Step;
  /**
   * Most series to return; the rest are left out (the caller reports it). SQLite keeps the series
   * first seen (new names never push known ones out); InfluxDB keeps the first by series key
   * (SLIMIT), which the cardinality limits bound (docs/RELIABILITY.md "Cardinality limits").
   */
  maxSeries?: number;
}

/** How long each resolution is kept, in ms (DESIGN: raw 14 days, 1 m 180 days, 1 h 5 years). */
export interface Retention {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

export const DEFAULT_RETENTION: Retention = {
  rawMs: 14 * 86_400_000,
  minuteMs: 180 * 86_400_000,
  hourMs: 5 * 365 * 86_400_000,
};

/** One bucket of a rollup as the stores keep it: mean = sum / count; `last` is the value at `lastTs`. */
export interface RollupBucket {
  /** Bucket start, epoch ms (a multiple of the step). */
  bucket: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  lastTs: number;
  last: number;
}

/** Rollup buckets of one series, written without raw points (the demo's simulated history). */
export interface SeriesRollups {
  metric: string;
  tags: Point['tags'];
  step: '1h';
  buckets: readonly RollupBucket[];
}

export interface StoreHealth {
  ok: boolean;
  /** What is wrong, or what is degraded while still ok (InfluxDB away, the outbox taking points). */
  error?: string;
  /** Points accepted but not yet in the backing store (an outbox waiting for InfluxDB). */
  backlog?: number;
}

/**
 * The time-series port. Adapters: SQLite (embedded default) and InfluxDB 1.x; both pass the same
 * contract suite (time-series.store.contract.ts). Nothing here may assume SQL.
 *
 * Resolutions: raw points, and per series 1-minute and 1-hour buckets (min, max, mean, count,
 * last) kept next to them, so a long range reads rollups, never raw rows.
 */
export interface TimeSeriesStore {
  readonly name: string;
  /**
   * Stores points. Resolves only once they are durable (survive a crash of this process), in the
   * store itself or in a durable local outbox that will deliver them in order and once.
   * Idempotent: a point with the same metric, tags and ts replaces the stored one, so a replayed
   * batch stores nothing twice and changes no rollup. Order within and across calls does not
   * matter: late and out-of-order points land in their buckets and the rollups are corrected.
   * Rejects when the points cannot be made durable; then none may be acknowledged.
   */
  write(points: readonly Point[]): Promise<void>;
  /**
   * Series of one metric whose tags match, with points in [from, to] ascending by ts. `raw` gives
   * [ts, value]; `1m`/`1h` give [bucketStart, mean, min, max, count] per non-empty bucket, read
   * from the rollups (a bucket partly inside the range is included whole).
   */
  query(q: RangeQuery): Promise<SeriesData[]>;
  /**
   * Removes what is older than each resolution's retention, relative to `now`, in small steps so
   * that ingest goes on meanwhile. Returns how many rows (or points) were removed, when known.
   */
  applyRetention(now: number): Promise<{ raw: number; minute: number; hour: number }>;
  /**
   * Optional: rollup buckets without raw points, merged into what is stored as points' aggregates
   * are (min, max, sum and count add up; `last` goes by timestamp). For history that has no raw
   * points: the simulated city's past months (simulation/history.service.ts). A store without it
   * (InfluxDB) gets no simulated trend history.
   */
  writeRollups?(series: readonly SeriesRollups[]): Promise<void>;
  /**
   * Optional: a small real write to the same storage as `write` (not a point), resolving once
   * durable, rejecting as `write` would. Run while writes fail, so that an instance taken out of a
   * load balancer can find out by itself that writes work again (storage/write-health.ts).
   */
  probeWrite?(): Promise<void>;
  /** Whether the store answers, and any backlog; used by /readyz and /metrics. Never throws. */
  health(): Promise<StoreHealth>;
  /** Flushes what can be flushed and releases resources. */
  close(): Promise<void>;
}
