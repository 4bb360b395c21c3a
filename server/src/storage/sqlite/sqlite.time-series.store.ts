import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pointKey, seriesKey, STEP_MS, type Point, type SeriesData } from '@zhuyun/protocol';
import {
  DEFAULT_RETENTION,
  type RangeQuery,
  type Retention,
  type SeriesRollups,
  type StoreHealth,
  type TimeSeriesStore,
} from '../time-series.store.js';

/** Points per transaction: big enough to amortise the commit, small enough not to stall the loop. */
const CHUNK = 5_000;
/** Most points returned per series for a raw query; a longer range must use a step. */
const MAX_RAW_POINTS = 50_000;
/** Rows a retention step deletes per transaction, so ingest gets the lock in between. */
const RETENTION_STEP = 5_000;

/** Page cache of the store's connection, KiB. */
export const CACHE_KIB = 65_536;
/** Size of the readiness probe's write (probeWrite): some pages, as a small batch writes. */
const PROBE_BYTES = 64 * 1024;
/** How often committed points are merged into the rollup tables. */
const ROLLUP_MERGE_MS = 2_000;
/** Pending buckets beyond which a write merges at once, bounding memory. */
const MAX_PENDING_BUCKETS = 100_000;

/**
 * The tsdb file's own schema version, in SQLite's `PRAGMA user_version` (the relational database's
 * migrations do not cover this file). 0: the first layout. 1: series keys with tag values escaped
 * (`\` `\,` `\=`, protocol seriesKey); the step rewrites every stored key from its series' metric
 * and tags, which the `series` row keeps exactly (issue 13 item 10).
 */
export const TSDB_SCHEMA_VERSION = 1;

const MINUTE = STEP_MS['1m'];
const HOUR = STEP_MS['1h'];

/**
 * A bucket's key as one number, not a string: (series id, minute index). Minutes since 1970 stay
 * under 10^8 until the year 2160 and series ids under 10^7, so the product is exact in a double.
 */
const KEY_SPAN = 100_000_000;
const bucketKey = (sid: number, bucket: number) => sid * KEY_SPAN + bucket / MINUTE;
const fromKey = (key: number): [number, number] => [Math.floor(key / KEY_SPAN), (key % KEY_SPAN) * MINUTE];

/** One bucket's aggregate, as kept in the rollup tables. `sum` makes mean = sum / count exact. */
interface Agg {
  min: number;
  max: number;
  sum: number;
  count: number;
  lastTs: number;
  last: number;
}

function addTo(agg: Agg | undefined, ts: number, v: number): Agg {
  if (!agg) return { min: v, max: v, sum: v, count: 1, lastTs: ts, last: v };
  agg.min = Math.min(agg.min, v);
  agg.max = Math.max(agg.max, v);
  agg.sum += v;
  agg.count += 1;
  if (ts >= agg.lastTs) {
    agg.lastTs = ts;
    agg.last = v;
  }
  return agg;
}

function mergeAgg(into: Agg | undefined, a: Agg): Agg {
  if (!into) return a;
  into.min = Math.min(into.min, a.min);
  into.max = Math.max(into.max, a.max);
  into.sum += a.sum;
  into.count += a.count;
  if (a.lastTs >= into.lastTs) {
    into.lastTs = a.lastTs;
    into.last = a.last;
  }
  return into;
}

/**
 * The embedded store: one SQLite file in WAL mode.
 * - `series`: one row per metric + tag set.
 * - `points(series_id, ts, value)` WITHOUT ROWID: one series' range is one index scan; the same
 *   point twice is one row.
 * - `rollup_1m`, `rollup_1h`: per series and bucket, min/max/sum/count/last. New points are
 *   aggregated in memory and merged into the tables every two seconds (and before any rollup
 *   query or retention sweep) with one upsert per touched bucket: order does not matter (min, max,
 *   sum and count commute; `last` goes by timestamp). A point that replaces a stored one with
 *   another value marks its bucket for an exact recount from the finer level; a replay of the same
 *   value changes nothing. Crash safety of the rollups: each write transaction also records the
 *   oldest timestamp not yet rolled up (`meta.rollups_pending_since`); at start, buckets from
 *   there on are recounted from the raw points, so a crash loses no rollup either.
 * WAL with synchronous=NORMAL keeps committed transactions across a process crash (kill -9); only
 * an OS crash or power loss can take the last ones.
 */
export class SqliteTimeSeriesStore implements TimeSeriesStore {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly seriesIds = new Map<string, number>();
  private readonly stmt: ReturnType<SqliteTimeSeriesStore['prepare']>;
  /** Aggregates of committed points not yet merged into the rollup tables, by bucketKey. */
  private pendingMinutes = new Map<number, Agg>();
  private pendingHours = new Map<number, Agg>();
  /** Minute buckets (bucketKey) whose points were replaced: recounted at the next merge. */
  private pendingRecount = new Set<number>();
  /** Mirror of meta.rollups_pending_since. */
  private pendingSince: number | null = null;
  private readonly flushTimer: NodeJS.Timeout;
  private flushError?: string;

  constructor(
    readonly path: string,
    private readonly retention: Retention = DEFAULT_RETENTION,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database | undefined;
    try {
      this.db = db = new Database(path);
      this.open();
      this.stmt = this.prepare();
      this.recover();
    } catch (err) {
      // "file is not a database" alone does not say which file: the operator must find it.
      if (db?.open) db.close();
      throw new Error(`time-series store ${path} cannot be opened: ${(err as Error).message} (if the file is damaged, restore it from a backup, or move it away to start empty)`, { cause: err });
    }
    this.flushTimer = setInterval(() => this.flushRollups(), ROLLUP_MERGE_MS);
    this.flushTimer.unref();
  }

  /** Pragmas, tables, and the steps up to TSDB_SCHEMA_VERSION. Throws on a damaged file. */
  private open(): void {
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // 64 MiB of page cache (the default is 2 MiB): the index pages of recent points stay in memory,
    // which keeps inserts fast once the file outgrows the default cache.
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS series (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        metric TEXT NOT NULL,
        district TEXT NOT NULL,
        unit TEXT NOT NULL,
        node TEXT NOT NULL,
        tags TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS series_metric_unit ON series(metric, unit);
      CREATE INDEX IF NOT EXISTS series_metric_node ON series(metric, node);
      CREATE TABLE IF NOT EXISTS points (
        series_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (series_id, ts)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rollup_1m (
        series_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
        min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
        last_ts INTEGER NOT NULL, last REAL NOT NULL,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rollup_1h (
        series_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
        min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
        last_ts INTEGER NOT NULL, last REAL NOT NULL,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER);
      CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, data BLOB NOT NULL);
    `);
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > TSDB_SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this server's ${TSDB_SCHEMA_VERSION}: it was written by a newer Zhuyun`);
    }
    if (version >= 1) return;
    // 0 → 1: series keys with escaped tag values. The new key comes from the row's metric and tags
    // (kept as JSON, exactly). Keys are parked on a placeholder first: one row's new key may be
    // another row's old key (a value ending in a backslash), and `key` is UNIQUE. Two tag sets
    // that had one ambiguous key before share one row and its points: they cannot be told apart
    // afterwards, so the points stay under the tags of the series first written (docs/STORAGE.md).
    this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, key, metric, tags FROM series').all() as Array<{ id: number; key: string; metric: string; tags: string }>;
      const changed = rows.map((r) => ({ id: r.id, old: r.key, key: seriesKey(r.metric, JSON.parse(r.tags) as Record<string, string>) })).filter((r) => r.key !== r.old);
      const setKey = this.db.prepare('UPDATE series SET key = ? WHERE id = ?');
      for (const r of changed) setKey.run(`\u0000migrating ${r.id}`, r.id);
      for (const r of changed) setKey.run(r.key, r.id);
      this.db.pragma(`user_version = ${TSDB_SCHEMA_VERSION}`);
    })();
  }

  /** After a crash: recount every bucket from the oldest point that was not rolled up. */
  private recover(): void {
    const since = this.stmt.getPendingSince.pluck().get() as number | undefined | null;
    if (since === undefined || since === null) return;
    this.db.transaction(() => {
      this.stmt.recountMinutesFrom.run({ from: since - (since % MINUTE) });
      this.stmt.recountHoursFrom.run({ from: since - (since % HOUR) });
      this.stmt.setPendingSince.run(null);
    })();
  }

  private prepare() {
    const merge = (table: string) =>
      this.db.prepare(`
        INSERT INTO ${table} (series_id, bucket, min, max, sum, count, last_ts, last)
        VALUES (@sid, @bucket, @min, @max, @sum, @count, @lastTs, @last)
        ON CONFLICT (series_id, bucket) DO UPDATE SET
          min = min(min, excluded.min), max = max(max, excluded.max),
          sum = sum + excluded.sum, count = count + excluded.count,
          last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
          last_ts = max(last_ts, excluded.last_ts)`);
    // An exact recount of one bucket from the level below; `last` is the value at the newest ts.
    const recount = (table: string, from: string, tsCol: string, width: number) =>
      this.db.prepare(`
        INSERT OR REPLACE INTO ${table} (series_id, bucket, min, max, sum, count, last_ts, last)
        SELECT @sid, @bucket, min(${from === 'points' ? 'value' : 'min'}), max(${from === 'points' ? 'value' : 'max'}),
               ${from === 'points' ? 'sum(value), count(*)' : 'sum(sum), sum(count)'},
               max(${tsCol}),
               (SELECT ${from === 'points' ? 'value' : 'last'} FROM ${from} WHERE series_id = @sid AND ${from === 'points' ? 'ts' : 'bucket'} >= @bucket AND ${from === 'points' ? 'ts' : 'bucket'} < @bucket + ${width} ORDER BY ${tsCol} DESC LIMIT 1)
        FROM ${from} WHERE series_id = @sid AND ${from === 'points' ? 'ts' : 'bucket'} >= @bucket AND ${from === 'points' ? 'ts' : 'bucket'} < @bucket + ${width}
        HAVING count(*) > 0`);
    return {
      insertSeries: this.db.prepare('INSERT OR IGNORE INTO series (key, metric, district, unit, node, tags) VALUES (?, ?, ?, ?, ?, ?)'),
      seriesId: this.db.prepare<[string], { id: number }>('SELECT id FROM series WHERE key = ?'),
      insertPoint: this.db.prepare('INSERT OR IGNORE INTO points (series_id, ts, value) VALUES (?, ?, ?)'),
      pointValue: this.db.prepare<[number, number], { value: number }>('SELECT value FROM points WHERE series_id = ? AND ts = ?'),
      updatePoint: this.db.prepare('UPDATE points SET value = ? WHERE series_id = ? AND ts = ?'),
      merge1m: merge('rollup_1m'),
      merge1h: merge('rollup_1h'),
      // The same merge with positional parameters (writeRollups: millions of rows at a first start).
      mergeRows1h: this.db.prepare(`
        INSERT INTO rollup_1h (series_id, bucket, min, max, sum, count, last_ts, last) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (series_id, bucket) DO UPDATE SET
          min = min(min, excluded.min), max = max(max, excluded.max),
          sum = sum + excluded.sum, count = count + excluded.count,
          last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
          last_ts = max(last_ts, excluded.last_ts)`),
      recount1m: recount('rollup_1m', 'points', 'ts', MINUTE),
      recount1h: recount('rollup_1h', 'rollup_1m', 'last_ts', HOUR),
      getPendingSince: this.db.prepare("SELECT value FROM meta WHERE key = 'rollups_pending_since'"),
      setPendingSince: this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups_pending_since', ?)"),
      recountMinutesFrom: this.db.prepare(`
        WITH b AS (
          SELECT series_id, (ts / ${MINUTE}) * ${MINUTE} AS bucket, min(value) AS mn, max(value) AS mx,
                 sum(value) AS sm, count(*) AS c, max(ts) AS lt
          FROM points WHERE ts >= @from GROUP BY series_id, bucket)
        INSERT OR REPLACE INTO rollup_1m (series_id, bucket, min, max, sum, count, last_ts, last)
        SELECT b.series_id, b.bucket, b.mn, b.mx, b.sm, b.c, b.lt, p.value
        FROM b JOIN points p ON p.series_id = b.series_id AND p.ts = b.lt`),
      recountHoursFrom: this.db.prepare(`
        WITH b AS (
          SELECT series_id, (bucket / ${HOUR}) * ${HOUR} AS hb, min(min) AS mn, max(max) AS mx,
                 sum(sum) AS sm, sum(count) AS c, max(last_ts) AS lt
          FROM rollup_1m WHERE bucket >= @from GROUP BY series_id, hb)
        INSERT OR REPLACE INTO rollup_1h (series_id, bucket, min, max, sum, count, last_ts, last)
        SELECT b.series_id, b.hb, b.mn, b.mx, b.sm, b.c, b.lt, r.last
        FROM b JOIN rollup_1m r ON r.series_id = b.series_id AND r.last_ts = b.lt
          AND r.bucket >= b.hb AND r.bucket < b.hb + ${HOUR}`),
    };
  }

  private seriesId(p: Point): number {
    const key = pointKey(p);
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      this.stmt.insertSeries.run(key, p.metric, p.tags.district, p.tags.unit, p.tags.node, JSON.stringify(p.tags));
      id = this.stmt.seriesId.get(key)!.id;
      this.seriesIds.set(key, id);
    }
    return id;
  }

  /** Inside one transaction: raw points in, and what they change in the rollups, to merge later. */
  private readonly writeChunk = (points: readonly Point[]) => {
    const s = this.stmt;
    const minutes = new Map<number, Agg>();
    const hours = new Map<number, Agg>();
    const recount: number[] = [];
    let oldest = Infinity;
    for (const p of points) {
      const sid = this.seriesId(p);
      if (s.insertPoint.run(sid, p.ts, p.value).changes === 1) {
        const mk = bucketKey(sid, p.ts - (p.ts % MINUTE));
        const hk = bucketKey(sid, p.ts - (p.ts % HOUR));
        minutes.set(mk, addTo(minutes.get(mk), p.ts, p.value));
        hours.set(hk, addTo(hours.get(hk), p.ts, p.value));
      } else if (s.pointValue.get(sid, p.ts)!.value !== p.value) {
        s.updatePoint.run(p.value, sid, p.ts);
        recount.push(bucketKey(sid, p.ts - (p.ts % MINUTE)));
      } else {
        continue; // the very same point again: nothing changes
      }
      if (p.ts < oldest) oldest = p.ts;
    }
    if (oldest < (this.pendingSince ?? Infinity)) s.setPendingSince.run(oldest);
    return { minutes, hours, recount, oldest };
  };

  async write(points: readonly Point[]): Promise<void> {
    const tx = this.db.transaction(this.writeChunk);
    for (let i = 0; i < points.length; i += CHUNK) {
      let done;
      try {
        done = tx(points.slice(i, i + CHUNK));
      } catch (err) {
        // A rolled-back chunk may have cached ids of series rows that were rolled back with it.
        this.seriesIds.clear();
        throw err;
      }
      // Committed: only now do its aggregates count.
      for (const [k, a] of done.minutes) this.pendingMinutes.set(k, mergeAgg(this.pendingMinutes.get(k), a));
      for (const [k, a] of done.hours) this.pendingHours.set(k, mergeAgg(this.pendingHours.get(k), a));
      for (const k of done.recount) this.pendingRecount.add(k);
      if (done.oldest < (this.pendingSince ?? Infinity)) this.pendingSince = done.oldest;
    }
    if (this.pendingMinutes.size > MAX_PENDING_BUCKETS) this.flushRollups();
  }

  /**
   * Merges rollup buckets that have no raw points (the simulated past) into rollup_1h, one
   * transaction per series (the event loop is free every CHUNK buckets). Additive like the merge of points' aggregates, so a bucket that
   * also gets points stays exact; no crash mark is needed (nothing is pending in memory).
   */
  async writeRollups(series: readonly SeriesRollups[]): Promise<void> {
    const merge = this.stmt.mergeRows1h;
    const tx = this.db.transaction((sid: number, buckets: SeriesRollups['buckets']) => {
      for (const b of buckets) merge.run(sid, b.bucket, b.min, b.max, b.sum, b.count, b.lastTs, b.last);
    });
    let rows = 0;
    try {
      for (const r of series) {
        if (r.step !== '1h') throw new Error(`writeRollups: step ${JSON.stringify(r.step)} is not 1h`);
        for (const b of r.buckets) if (b.bucket % HOUR !== 0) throw new Error(`writeRollups: bucket ${b.bucket} is not on the hour`);
        tx(this.seriesId({ metric: r.metric, tags: r.tags, ts: 0, value: 0 }), r.buckets);
        rows += r.buckets.length;
        // Ingest and queries get the loop between a few transactions.
        if (rows >= CHUNK) {
          rows = 0;
          await new Promise((res) => setImmediate(res));
        }
      }
    } catch (err) {
      this.seriesIds.clear();
      throw err;
    }
  }

  /**
   * Merges the pending aggregates into the rollup tables and recounts replaced buckets, in one
   * transaction, then clears the crash-recovery mark. Called on a timer and before reading rollups.
   */
  flushRollups(): void {
    if (this.pendingSince === null || !this.db.open) return;
    const s = this.stmt;
    const minutes = this.pendingMinutes;
    const hours = this.pendingHours;
    const recount = this.pendingRecount;
    const mergeAll = (stmt: Database.Statement, aggs: Map<number, Agg>) => {
      for (const [key, a] of aggs) {
        const [sid, bucket] = fromKey(key);
        stmt.run({ sid, bucket, min: a.min, max: a.max, sum: a.sum, count: a.count, lastTs: a.lastTs, last: a.last });
      }
    };
    try {
      this.db.transaction(() => {
        mergeAll(s.merge1m, minutes);
        mergeAll(s.merge1h, hours);
        const hoursToRecount = new Set<number>();
        for (const key of recount) {
          const [sid, bucket] = fromKey(key);
          s.recount1m.run({ sid, bucket });
          hoursToRecount.add(bucketKey(sid, bucket - (bucket % HOUR)));
        }
        for (const key of hoursToRecount) {
          const [sid, bucket] = fromKey(key);
          s.recount1h.run({ sid, bucket });
        }
        s.setPendingSince.run(null);
      })();
      this.pendingMinutes = new Map();
      this.pendingHours = new Map();
      this.pendingRecount = new Set();
      this.pendingSince = null;
      this.flushError = undefined;
    } catch (err) {
      // Kept pending; the raw points are safe and the next merge (or a restart) tries again.
      this.flushError = `rollup merge failed: ${(err as Error).message}`;
    }
  }

  async query(q: RangeQuery): Promise<SeriesData[]> {
    const where = ['metric = ?'];
    const args: unknown[] = [q.metric];
    for (const [k, v] of Object.entries(q.match)) {
      if (k === 'district' || k === 'unit' || k === 'node') {
        where.push(`${k} = ?`);
        args.push(v);
      } else {
        where.push(`json_extract(tags, ?) = ?`);
        args.push(`$.${k}`, v);
      }
    }
    // First seen first (ids grow), and only series with points in the range count towards the
    // limit: a flood of new names, or long-dead series, never pushes a known live one out
    // (docs/RELIABILITY.md "Cardinality limits").
    const rows = this.db.prepare(`SELECT id, tags FROM series WHERE ${where.join(' AND ')} ORDER BY id`).all(...args) as Array<{ id: number; tags: string }>;
    const maxSeries = q.maxSeries ?? 1_000;
    if (q.step !== 'raw') this.flushRollups();
    let read: Database.Statement;
    let from = q.from;
    if (q.step === 'raw') {
      read = this.db.prepare('SELECT ts, value FROM points WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts LIMIT ?');
    } else {
      // A bucket partly inside the range is returned whole.
      from = q.from - (q.from % STEP_MS[q.step]);
      read = this.db.prepare(
        `SELECT bucket, sum / count, min, max, count FROM rollup_${q.step} WHERE series_id = ? AND bucket BETWEEN ? AND ? ORDER BY bucket LIMIT ?`,
      );
    }
    read.raw(true);
    const out: SeriesData[] = [];
    for (const r of rows) {
      const points = read.all(r.id, from, q.to, MAX_RAW_POINTS) as SeriesData['points'];
      if (points.length) out.push({ metric: q.metric, tags: JSON.parse(r.tags), points });
      if (out.length >= maxSeries) break;
    }
    return out;
  }

  async applyRetention(now: number): Promise<{ raw: number; minute: number; hour: number }> {
    this.flushRollups();
    const seriesIds = (this.db.prepare('SELECT id FROM series').pluck().all() as number[]);
    const sweep = async (table: string, col: string, before: number) => {
      // Per series, through the primary key, a few thousand rows per transaction: writers wait
      // at most one small step.
      const del = this.db.prepare(
        `DELETE FROM ${table} WHERE series_id = ? AND ${col} IN (SELECT ${col} FROM ${table} WHERE series_id = ? AND ${col} < ? LIMIT ${RETENTION_STEP})`,
      );
      let removed = 0;
      for (const sid of seriesIds) {
        for (;;) {
          const n = del.run(sid, sid, before).changes;
          removed += n;
          if (n < RETENTION_STEP) break;
          await new Promise((r) => setImmediate(r));
        }
      }
      return removed;
    };
    const raw = await sweep('points', 'ts', now - this.retention.rawMs);
    const minute = await sweep('rollup_1m', 'bucket', now - this.retention.minuteMs);
    const hour = await sweep('rollup_1h', 'bucket', now - this.retention.hourMs);
    return { raw, minute, hour };
  }

  /**
   * Rewrites one row of PROBE_BYTES random bytes in one transaction: new pages in the WAL, as a
   * batch of points needs, so a full disk or a damaged file fails it as it fails a batch.
   */
  async probeWrite(): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO write_probe (id, at, data) VALUES (1, ?, randomblob(?))').run(Date.now(), PROBE_BYTES);
  }

  async health(): Promise<StoreHealth> {
    try {
      this.db.prepare('SELECT 1').get();
      return this.flushError ? { ok: false, error: this.flushError } : { ok: true };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    this.flushRollups();
    if (this.db.open) this.db.close();
  }
}
