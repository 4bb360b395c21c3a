import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { seriesKey, STEP_MS, type Point, type SeriesData } from '@zhuyun/protocol';
import type { RangeQuery, TimeSeriesStore } from '../time-series.store.js';

/** Rows per transaction: big enough to amortise the commit, small enough not to stall the loop. */
const CHUNK = 5_000;
/** Most points returned per series for a raw query; a longer range must use a step. */
const MAX_RAW_POINTS = 50_000;

/**
 * The embedded store: one SQLite file in WAL mode. A series is a row of `series` (metric + tags);
 * points are `(series_id, ts) -> value` in a WITHOUT ROWID table, so one series' range is one
 * index scan. WAL with synchronous=NORMAL keeps committed transactions across a process crash
 * (kill -9); only an OS crash or power loss can take the last ones.
 */
export class SqliteTimeSeriesStore implements TimeSeriesStore {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly seriesIds = new Map<string, number>();
  private readonly insertSeries: Database.Statement;
  private readonly selectSeriesId: Database.Statement<[string], { id: number }>;
  private readonly upsertPoint: Database.Statement;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
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
    `);
    this.insertSeries = this.db.prepare(
      'INSERT OR IGNORE INTO series (key, metric, district, unit, node, tags) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectSeriesId = this.db.prepare('SELECT id FROM series WHERE key = ?');
    this.upsertPoint = this.db.prepare('INSERT OR REPLACE INTO points (series_id, ts, value) VALUES (?, ?, ?)');
  }

  private seriesId(p: Point): number {
    const key = seriesKey(p.metric, p.tags);
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      this.insertSeries.run(key, p.metric, p.tags.district, p.tags.unit, p.tags.node, JSON.stringify(p.tags));
      id = this.selectSeriesId.get(key)!.id;
      this.seriesIds.set(key, id);
    }
    return id;
  }

  private readonly writeChunk = (points: readonly Point[]) => {
    for (const p of points) this.upsertPoint.run(this.seriesId(p), p.ts, p.value);
  };

  async write(points: readonly Point[]): Promise<void> {
    const tx = this.db.transaction(this.writeChunk);
    for (let i = 0; i < points.length; i += CHUNK) {
      try {
        tx(points.slice(i, i + CHUNK));
      } catch (err) {
        // A rolled-back chunk may have cached ids of series rows that were rolled back with it.
        this.seriesIds.clear();
        throw err;
      }
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
    const limit = q.maxSeries ?? 1_000;
    const rows = this.db
      .prepare(`SELECT id, tags FROM series WHERE ${where.join(' AND ')} ORDER BY key LIMIT ?`)
      .all(...args, limit) as Array<{ id: number; tags: string }>;
    const raw = this.db.prepare(
      'SELECT ts, value FROM points WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts LIMIT ?',
    );
    const bucketed = this.db.prepare(`
      SELECT (ts / @step) * @step AS b, avg(value) AS mean, min(value) AS lo, max(value) AS hi, count(*) AS n
      FROM points WHERE series_id = @id AND ts BETWEEN @from AND @to GROUP BY b ORDER BY b`);
    return rows.map((r) => {
      const tags = JSON.parse(r.tags) as Record<string, string>;
      if (q.step === 'raw') {
        const pts = (raw.raw(true).all(r.id, q.from, q.to, MAX_RAW_POINTS) as Array<[number, number]>);
        return { metric: q.metric, tags, points: pts };
      }
      const pts = bucketed.raw(true).all({ id: r.id, step: STEP_MS[q.step], from: q.from, to: q.to }) as Array<
        [number, number, number, number, number]
      >;
      return { metric: q.metric, tags, points: pts };
    });
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
