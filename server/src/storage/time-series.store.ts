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
  /** Most series to return; the rest are left out (the caller reports it). */
  maxSeries?: number;
}

/**
 * The time-series port. Adapters: SQLite (embedded default); InfluxDB 1.x comes next, so nothing
 * here may assume SQL. Both must pass the same contract suite.
 */
export interface TimeSeriesStore {
  readonly name: string;
  /**
   * Stores points. Resolves only once they are durable (survive a crash of this process).
   * Idempotent: a point with the same metric, tags and ts replaces the stored one, so a replayed
   * batch stores nothing twice. Order within and across calls does not matter (late points land
   * in their place). Rejects when the storage cannot take them; then none should be acknowledged.
   */
  write(points: readonly Point[]): Promise<void>;
  /**
   * Series of one metric whose tags match, with points in [from, to] ascending by ts. `raw` gives
   * [ts, value]; `1m`/`1h` give [bucketStart, mean, min, max, count] per non-empty bucket.
   */
  query(q: RangeQuery): Promise<SeriesData[]>;
  /** Resolves when the storage answers; rejects with the reason otherwise (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
