import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DirtyBucket, Resolution } from './influx.rollup.js';

/** A unit of the outbox: line protocol for the raw RP, as it will be posted, and what it touched. */
export interface OutboxChunk {
  id: number;
  points: number;
  /** Line protocol, precision ms, one point per line. */
  body: string;
  /** measurement -> minute bucket starts (TouchedBuckets.toJSON). */
  touched: Record<string, number[]>;
}

export interface DirtyRow extends DirtyBucket {
  id: number;
}

/**
 * The durable local outbox of the InfluxDB adapter: a SQLite file (WAL, synchronous=NORMAL, so a
 * committed append survives kill -9 of the server; only an OS crash or power loss can take the
 * last transactions).
 *
 * - `chunks`: points InfluxDB has not confirmed yet, in arrival order (`id` AUTOINCREMENT, never
 *   reused). A chunk is deleted only after InfluxDB answered 204 (or rejected its points for good),
 *   in the same transaction that records the buckets it touched; a crash between InfluxDB's answer
 *   and the delete delivers it again, which is harmless (InfluxDB overwrites identical points).
 * - `dirty`: rollup buckets (resolution, bucket, measurement) to recompute from the raw points. A
 *   row marked again gets a new id (INSERT OR REPLACE), so a recomputation that started before the
 *   new mark does not clear it.
 *
 * All methods are synchronous (better-sqlite3): an append is durable when it returns.
 */
export class InfluxOutbox {
  private readonly db: Database.Database;
  private readonly stmt;
  private points = 0;
  private chunks = 0;
  private dirty = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        points INTEGER NOT NULL,
        body TEXT NOT NULL,
        touched TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS dirty (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        res TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        measurement TEXT NOT NULL,
        UNIQUE (res, bucket, measurement)
      );
    `);
    this.stmt = {
      insertChunk: this.db.prepare('INSERT INTO chunks (points, body, touched, created_at) VALUES (?, ?, ?, ?)'),
      head: this.db.prepare<[number], { id: number; points: number; body: string; touched: string }>(
        'SELECT id, points, body, touched FROM chunks ORDER BY id LIMIT ?',
      ),
      deleteChunk: this.db.prepare('DELETE FROM chunks WHERE id = ?'),
      markDirty: this.db.prepare('INSERT OR REPLACE INTO dirty (res, bucket, measurement) VALUES (?, ?, ?)'),
      dirtyBatch: this.db.prepare<[number], DirtyRow>('SELECT id, res, bucket, measurement FROM dirty ORDER BY res, bucket LIMIT ?'),
      clearDirty: this.db.prepare('DELETE FROM dirty WHERE id = ?'),
      oldest: this.db.prepare<[], { created_at: number }>('SELECT created_at FROM chunks ORDER BY id LIMIT 1'),
    };
    const c = this.db.prepare('SELECT count(*) AS n, coalesce(sum(points), 0) AS p FROM chunks').get() as { n: number; p: number };
    this.chunks = c.n;
    this.points = c.p;
    this.dirty = (this.db.prepare('SELECT count(*) AS n FROM dirty').get() as { n: number }).n;
  }

  /** Points waiting for InfluxDB. */
  get backlogPoints(): number {
    return this.points;
  }

  get chunkCount(): number {
    return this.chunks;
  }

  /** Rollup buckets waiting to be recomputed. */
  get dirtyCount(): number {
    return this.dirty;
  }

  /** When the oldest waiting chunk was appended (epoch ms), if any. */
  oldestAt(): number | undefined {
    return this.stmt.oldest.get()?.created_at;
  }

  /** Appends chunks after everything already waiting, in one transaction; durable on return. */
  append(chunks: ReadonlyArray<Omit<OutboxChunk, 'id'>>, now: number): void {
    if (!chunks.length) return;
    this.db.transaction(() => {
      for (const c of chunks) this.stmt.insertChunk.run(c.points, c.body, JSON.stringify(c.touched), now);
    })();
    for (const c of chunks) {
      this.chunks += 1;
      this.points += c.points;
    }
  }

  /** The oldest chunks, in order: at least one when any waits, then more up to `maxPoints` in all. */
  head(maxPoints: number, maxChunks = 1_000): OutboxChunk[] {
    const out: OutboxChunk[] = [];
    let points = 0;
    for (const r of this.stmt.head.iterate(maxChunks)) {
      if (out.length && points + r.points > maxPoints) break;
      out.push({ id: r.id, points: r.points, body: r.body, touched: JSON.parse(r.touched) });
      points += r.points;
    }
    return out;
  }

  /**
   * InfluxDB has the chunks: deletes them and records the buckets they touched, in one
   * transaction.
   */
  ack(chunks: readonly OutboxChunk[], dirty: readonly DirtyBucket[]): void {
    let removed = 0;
    let removedPoints = 0;
    this.db.transaction(() => {
      for (const c of chunks) {
        if (this.stmt.deleteChunk.run(c.id).changes) {
          removed += 1;
          removedPoints += c.points;
        }
      }
      for (const d of dirty) this.stmt.markDirty.run(d.res, d.bucket, d.measurement);
    })();
    this.chunks -= removed;
    this.points -= removedPoints;
    this.dirty = (this.db.prepare('SELECT count(*) AS n FROM dirty').get() as { n: number }).n;
  }

  /** Records rollup buckets to recompute later. */
  markDirty(rows: readonly DirtyBucket[]): void {
    if (!rows.length) return;
    this.ack([], rows);
  }

  /** Up to `limit` buckets to recompute, oldest first per resolution. */
  dirtyBatch(limit: number): DirtyRow[] {
    return this.stmt.dirtyBatch.all(limit).map((r) => ({ ...r, res: r.res as Resolution }));
  }

  /** The buckets were recomputed; rows marked again since (new id) stay. */
  clearDirty(rows: readonly DirtyRow[]): void {
    let removed = 0;
    this.db.transaction(() => {
      for (const r of rows) removed += this.stmt.clearDirty.run(r.id).changes;
    })();
    this.dirty -= removed;
  }

  get open(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
