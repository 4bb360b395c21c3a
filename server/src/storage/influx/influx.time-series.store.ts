import { MAX_FUTURE_MS, STEP_MS, type Point, type SeriesData } from '@zhuyun/protocol';
import { pino, type Logger } from 'pino';
import { UnavailableError } from '../../common/errors.js';
import {
  DEFAULT_RETENTION,
  type RangeQuery,
  type Retention,
  type StoreHealth,
  type TimeSeriesStore,
} from '../time-series.store.js';
import { InfluxHttp, InfluxRejectedError, InfluxUnavailableError, type InfluxTarget, type StatementResult } from './influx.http.js';
import { pointLine, quoteIdent, quoteString, unrepresentable } from './influx.lines.js';
import { InfluxOutbox, type OutboxChunk } from './influx.outbox.js';
import {
  bucketStart,
  cqHorizon,
  DEFAULT_CQ,
  dirtyStatements,
  planRecompute,
  RES_MS,
  RESOLUTIONS,
  TouchedBuckets,
  type CqTiming,
  type DirtyBucket,
  type Resolution,
} from './influx.rollup.js';
import { ensureSchema, RAW_RP } from './influx.schema.js';

/** Why points were left out for good (label of zhuyun_tsdb_dropped_points_total). */
export type DropReason = 'rejected' | 'unrepresentable';

export interface InfluxStoreOptions extends InfluxTarget {
  /** The outbox file (a SQLite database), normally `<data dir>/influx-outbox.sqlite`. */
  outboxPath: string;
  retention?: Retention;
  logger?: Logger;
  /** Called when points are left out for good: refused by InfluxDB (4xx) or not expressible as line protocol. */
  onDropped?: (points: number, reason: DropReason) => void;
  /** The server's clock (which buckets are left to the continuous queries). */
  now?: () => number;
  /** Continuous query timing per resolution (tests use a fast one). */
  cq?: Partial<Record<Resolution, CqTiming>>;
  writeTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Delay between delivery attempts while InfluxDB is away: doubles from min to max. */
  backoffMs?: { min: number; max: number };
  /** Points the outbox may hold; beyond it writes are refused (ingest answers 503, collectors spool). */
  maxBacklogPoints?: number;
}

/** Points per POST on the direct path (InfluxDB's advice: 5,000 to 10,000). */
const CHUNK_POINTS = 5_000;
/** Points per POST when draining the outbox (small chunks are sent together). */
const DRAIN_POINTS = 10_000;
/** Most points returned per series for a raw query; a longer range must use a step (as SQLite). */
const MAX_RAW_POINTS = 50_000;
const DEFAULT_MAX_SERIES = 1_000;
/** Recompute statements sent in one /query request. */
const STATEMENTS_PER_REQUEST = 20;
/** Dirty buckets read from the outbox per recomputation round. */
const DIRTY_BATCH = 2_000;
/** During a long drain, buckets are recomputed at least this often (not only at the end). */
const RECOMPUTE_EVERY_MS = 10_000;
const DEFAULT_MAX_BACKLOG = 20_000_000;
/** A refused schema setup is tried again after this long. */
const SCHEMA_RETRY_MS = 60_000;

/**
 * TimeSeriesStore on InfluxDB 1.x.
 *
 * Layout (created by influx.schema.ts): database from INFLUX_URL; retention policies `raw`
 * (default), `m1`, `h1` with the configured retention; measurement = metric name, tags = the
 * point's tags, field `value` (float). Rollups: measurements of the same name in `m1`/`h1` with
 * fields min, max, mean, count, last, kept by two continuous queries (`RESAMPLE EVERY .. FOR ..`)
 * for recent buckets and, for the buckets a write touched that are older than the CQs look back,
 * by explicit `SELECT ... INTO` right after the write (batched per write call, narrowed to the
 * written nodes). InfluxDB overwrites a point with the same measurement, tags and time, and a
 * recomputed bucket overwrites its rollup point, so replays and replacements are idempotent.
 *
 * Durability: `write()` resolves once InfluxDB answered 204 or, when InfluxDB cannot be reached
 * (refused, reset, timeout, 5xx, credentials refused, database missing), once the points are in a
 * local SQLite outbox (influx.outbox.ts). While the outbox holds anything, new writes go behind it,
 * so a write that resolved before another was called is applied before it. A background drainer
 * delivers the outbox in order with back-off, deletes a chunk only after InfluxDB took it, then
 * recomputes every bucket it touched. Points InfluxDB refuses (4xx: field type conflict, beyond
 * retention) are logged, counted (`onDropped`) and not retried.
 *
 * Retention is InfluxDB's: its retention policies drop shards by its own clock, so
 * `applyRetention` does nothing.
 */
export class InfluxTimeSeriesStore implements TimeSeriesStore {
  readonly name = 'influx';
  private readonly http: InfluxHttp;
  private readonly outbox: InfluxOutbox;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly retention: Retention;
  private readonly cq: Record<Resolution, CqTiming>;
  private readonly backoff: { min: number; max: number };
  private readonly maxBacklog: number;
  private readonly db: string;

  private schema?: Promise<void>;
  private closed = false;
  private draining?: Promise<void>;
  private wake?: () => void;
  private readonly drainAbort = new AbortController();
  private readonly inflight = new Set<Promise<void>>();

  /** Last time InfluxDB took a request; undefined until the first. */
  private lastOkAt?: number;
  /** Set while InfluxDB is thought unavailable: when it was last seen working. */
  private downSince?: number;
  /** What went wrong last, while unavailable. */
  private problem?: string;
  /** InfluxDB refused the schema setup (when, and why). */
  private schemaRefusedAt?: number;
  private schemaProblem?: string;
  /** Measurements written directly, and when: their recent buckets were left to the CQs. */
  private readonly recent = new Map<string, number>();

  constructor(private readonly opts: InfluxStoreOptions) {
    this.db = opts.database;
    this.retention = opts.retention ?? DEFAULT_RETENTION;
    for (const [k, v] of Object.entries(this.retention)) {
      if (v < 3_600_000) throw new Error(`InfluxDB keeps data at least 1 hour; retention ${k} is ${v} ms`);
    }
    this.cq = { ...DEFAULT_CQ, ...opts.cq };
    this.backoff = opts.backoffMs ?? { min: 250, max: 5_000 };
    this.maxBacklog = opts.maxBacklogPoints ?? DEFAULT_MAX_BACKLOG;
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ tsdb: 'influx', db: opts.database });
    this.http = new InfluxHttp(opts, { writeTimeoutMs: opts.writeTimeoutMs, queryTimeoutMs: opts.queryTimeoutMs });
    this.outbox = new InfluxOutbox(opts.outboxPath);
    if (this.outbox.chunkCount || this.outbox.dirtyCount) {
      this.log.warn(
        { backlog: this.outbox.backlogPoints, chunks: this.outbox.chunkCount, dirtyBuckets: this.outbox.dirtyCount, outbox: opts.outboxPath },
        'outbox not empty at start: delivering it to InfluxDB',
      );
      this.kick();
    }
    // Set the schema up now rather than at the first write; a failure is retried by later calls.
    void this.ensureSchema().catch(() => undefined);
  }

  /** Resolves once the database, retention policies and continuous queries are in place. */
  ready(): Promise<void> {
    return this.ensureSchema();
  }

  /** Points waiting in the outbox. */
  get backlog(): number {
    return this.outbox.backlogPoints;
  }

  /** Rollup buckets waiting in the outbox to be recomputed (after a drain). */
  get pendingRollupBuckets(): number {
    return this.outbox.dirtyCount;
  }

  private ensureSchema(): Promise<void> {
    this.schema ??= ensureSchema(this.opts, this.retention, this.cq).then(
      (report) => {
        if (report.createdDatabase || report.policies.length || report.continuousQueries.length) {
          this.log.info(report, 'InfluxDB schema set up');
        }
      },
      (err: Error) => {
        this.schema = undefined;
        throw err;
      },
    );
    return this.schema;
  }

  /**
   * The schema before a write. InfluxDB away: throws InfluxUnavailableError (the points wait).
   * InfluxDB refusing the setup (a user without admin rights, a definition it does not take): the
   * writes go on, since what a DBA created may be enough (if not, they fail as unavailable and
   * wait), health() reports the refusal, and the setup is tried again a minute later.
   */
  private async schemaForWrite(): Promise<void> {
    if (this.schemaRefusedAt !== undefined && this.now() - this.schemaRefusedAt < SCHEMA_RETRY_MS) return;
    try {
      await this.ensureSchema();
      this.schemaRefusedAt = undefined;
      this.schemaProblem = undefined;
    } catch (err) {
      const refused = err instanceof InfluxRejectedError || (err instanceof InfluxUnavailableError && (err.status === 401 || err.status === 403));
      if (refused) {
        if (this.schemaProblem === undefined) this.log.error({ err: (err as Error).message }, 'InfluxDB refused the schema setup; writing anyway');
        this.schemaRefusedAt = this.now();
        this.schemaProblem = (err as Error).message;
        return;
      }
      if (err instanceof InfluxUnavailableError) throw err;
      throw new InfluxUnavailableError((err as Error).message);
    }
  }

  // ---- writes ----------------------------------------------------------------------------

  async write(points: readonly Point[]): Promise<void> {
    if (this.closed) throw new Error('the InfluxDB time-series store is closed');
    if (!points.length) return;
    const job = this.writeNow(points);
    this.inflight.add(job);
    try {
      await job;
    } finally {
      this.inflight.delete(job);
    }
  }

  private async writeNow(points: readonly Point[]): Promise<void> {
    const chunks = this.encode(points);
    const delivered = new TouchedBuckets();
    for (let i = 0; i < chunks.length; i++) {
      // Something waits in the outbox (InfluxDB away, or a drain going on): go behind it.
      if (this.outbox.chunkCount > 0) {
        this.enqueue(chunks.slice(i));
        break;
      }
      try {
        await this.schemaForWrite();
        await this.http.write(chunks[i].body, RAW_RP);
        this.noteUp();
      } catch (err) {
        if (err instanceof InfluxRejectedError) {
          this.rejected(err, chunks[i].points); // InfluxDB kept the rest of the chunk
        } else {
          this.noteDown(err as Error);
          this.enqueue(chunks.slice(i));
          break;
        }
      }
      delivered.merge(chunks[i].touched);
    }
    if (!delivered.empty) await this.recomputeAfterWrite(delivered);
  }

  /** Line protocol in chunks, with what each chunk touched; unrepresentable points left out. */
  private encode(points: readonly Point[]): Array<{ body: string; points: number; touched: TouchedBuckets }> {
    const chunks: Array<{ body: string; points: number; touched: TouchedBuckets }> = [];
    let lines: string[] = [];
    let touched = new TouchedBuckets();
    let dropped = 0;
    let firstReason: string | undefined;
    for (const p of points) {
      const why = unrepresentable(p);
      if (why) {
        dropped++;
        firstReason ??= why;
        continue;
      }
      lines.push(pointLine(p));
      touched.add(p.metric, p.ts, p.tags.node);
      if (lines.length === CHUNK_POINTS) {
        chunks.push({ body: lines.join('\n'), points: lines.length, touched });
        lines = [];
        touched = new TouchedBuckets();
      }
    }
    if (lines.length) chunks.push({ body: lines.join('\n'), points: lines.length, touched });
    if (dropped) this.drop(dropped, 'unrepresentable', firstReason!);
    return chunks;
  }

  /** Durably appends chunks to the outbox (throws when it cannot: then nothing is acknowledged). */
  private enqueue(chunks: ReadonlyArray<{ body: string; points: number; touched: TouchedBuckets }>): void {
    const n = chunks.reduce((a, c) => a + c.points, 0);
    if (this.outbox.backlogPoints + n > this.maxBacklog) {
      throw new Error(`the InfluxDB outbox is full (${this.outbox.backlogPoints} points wait, limit ${this.maxBacklog}): ${this.problem ?? 'InfluxDB unavailable'}`);
    }
    this.outbox.append(
      chunks.map((c) => ({ body: c.body, points: c.points, touched: c.touched.toJSON() })),
      this.now(),
    );
    this.kick();
  }

  /**
   * After a direct write: buckets the continuous queries will still see are left to them; older
   * ones (late points, spool replays, replaced values) are recomputed now, so the rollups are right
   * when `write()` resolves. When InfluxDB goes away meanwhile, they wait in the outbox.
   */
  private async recomputeAfterWrite(delivered: TouchedBuckets): Promise<void> {
    const now = this.now();
    for (const m of delivered.minutes.keys()) this.recent.set(m, now);
    const horizon: Record<Resolution, number> = {
      m1: cqHorizon(now, this.cq.m1, RES_MS.m1),
      h1: cqHorizon(now, this.cq.h1, RES_MS.h1),
    };
    const old = (res: Resolution, bucket: number) => bucket < horizon[res];
    const statements = planRecompute(this.db, delivered, old);
    if (!statements.length) return;
    try {
      await this.runStatements(statements);
    } catch (err) {
      if (err instanceof InfluxRejectedError) {
        this.log.error({ err, statements: statements.length }, 'InfluxDB refused a rollup recomputation');
        return;
      }
      this.noteDown(err as Error);
      this.outbox.markDirty(delivered.rows(old));
      this.kick();
    }
  }

  /** Runs recomputation statements in groups; a statement's own error throws. */
  private async runStatements(statements: readonly string[], signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_REQUEST) {
      const group = statements.slice(i, i + STATEMENTS_PER_REQUEST);
      const results = await this.http.query(group.join(';\n'), { signal });
      for (const r of results) if (r.error) throw statementError(r, group[r.statement_id]);
    }
  }

  // ---- the outbox drainer ----------------------------------------------------------------

  /** Starts the drainer unless it runs. */
  private kick(): void {
    if (this.closed || this.draining) return;
    this.draining = this.drain()
      .catch((err) => this.log.error({ err }, 'outbox drainer stopped'))
      .finally(() => {
        this.draining = undefined;
        // Work may have arrived between the drainer's last look and now.
        if (!this.closed && (this.outbox.chunkCount > 0 || this.outbox.dirtyCount > 0)) this.kick();
      });
  }

  private async drain(): Promise<void> {
    let delay = this.backoff.min;
    let lastRecompute = this.now();
    while (!this.closed) {
      try {
        if (this.outbox.chunkCount > 0) {
          await this.schemaForWrite();
          const head = this.outbox.head(DRAIN_POINTS);
          const points = head.reduce((a, c) => a + c.points, 0);
          try {
            await this.http.write(head.map((c) => c.body).join('\n'), RAW_RP, this.drainAbort.signal);
          } catch (err) {
            if (!(err instanceof InfluxRejectedError)) throw err;
            this.rejected(err, points);
          }
          this.outbox.ack(head, touchedRows(head));
          this.noteUp();
          delay = this.backoff.min;
          if (this.outbox.chunkCount === 0) this.log.info('outbox delivered to InfluxDB');
          if (this.outbox.chunkCount === 0 || this.now() - lastRecompute > RECOMPUTE_EVERY_MS) {
            await this.recomputeDirty();
            lastRecompute = this.now();
          }
          continue;
        }
        if (this.outbox.dirtyCount > 0) {
          await this.schemaForWrite();
          await this.recomputeDirty();
          this.noteUp();
          delay = this.backoff.min;
          continue;
        }
        return;
      } catch (err) {
        if (this.closed) return;
        if (err instanceof InfluxUnavailableError) this.noteDown(err);
        else {
          this.problem = (err as Error).message;
          this.log.error({ err }, 'outbox delivery failed; retrying');
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.backoff.max);
      }
    }
  }

  /** Recomputes the buckets the outbox marked, in batches; throws when InfluxDB is unavailable. */
  private async recomputeDirty(): Promise<void> {
    for (;;) {
      const rows = this.outbox.dirtyBatch(DIRTY_BATCH);
      if (!rows.length || this.closed) return;
      try {
        await this.runStatements(dirtyStatements(this.db, rows), this.drainAbort.signal);
      } catch (err) {
        if (!(err instanceof InfluxRejectedError)) throw err;
        // A statement InfluxDB refuses would be refused forever: say so and go on.
        this.log.error({ err, buckets: rows.length }, 'InfluxDB refused a rollup recomputation; buckets left as they are');
      }
      this.outbox.clearDirty(rows);
      if (rows.length < DIRTY_BATCH) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  // ---- availability ----------------------------------------------------------------------

  private noteUp(): void {
    this.lastOkAt = this.now();
    if (this.downSince === undefined) return;
    this.wake?.(); // a drainer waiting out a back-off may go now
    const since = this.downSince;
    this.downSince = undefined;
    this.problem = undefined;
    this.log.info({ backlog: this.outbox.backlogPoints }, 'InfluxDB available again');
    this.markOutageWindow(since);
  }

  private noteDown(err: Error): void {
    if (err instanceof InfluxUnavailableError && err.schemaMissing) this.schema = undefined;
    this.problem = err.message;
    if (this.downSince !== undefined) return;
    this.downSince = this.lastOkAt ?? this.now();
    this.log.warn({ err: err.message, backlog: this.outbox.backlogPoints }, 'InfluxDB unavailable: points go to the outbox until it is back');
  }

  /**
   * Buckets of points written straight to InfluxDB just before it went away were left to the
   * continuous queries, which did not run while it was away and, once back, only look back their
   * FOR window. Those buckets are marked for recomputation.
   */
  private markOutageWindow(since: number): void {
    const measurements = [...this.recent].filter(([, t]) => t >= since - this.cq.h1.forMs - RES_MS.h1).map(([m]) => m);
    if (!measurements.length || !this.outbox.open) return;
    const rows: DirtyBucket[] = [];
    for (const res of RESOLUTIONS) {
      const width = RES_MS[res];
      const last = bucketStart(since + MAX_FUTURE_MS, width);
      for (let b = bucketStart(since - this.cq[res].forMs, width); b <= last; b += width) {
        for (const measurement of measurements) rows.push({ res, bucket: b, measurement });
      }
    }
    this.outbox.markDirty(rows);
    this.kick();
  }

  /** InfluxDB refused (part of) a write: it says how many points it dropped, or all were. */
  private rejected(err: InfluxRejectedError, points: number): void {
    this.drop(err.dropped ?? points, 'rejected', err.message);
  }

  private drop(points: number, reason: DropReason, detail: string): void {
    this.log.warn({ points, reason, detail }, 'points left out of InfluxDB for good');
    if (points > 0) this.opts.onDropped?.(points, reason);
  }

  // ---- reads -----------------------------------------------------------------------------

  async query(q: RangeQuery): Promise<SeriesData[]> {
    if (this.closed) throw new Error('the InfluxDB time-series store is closed');
    const raw = q.step === 'raw';
    const rp = raw ? RAW_RP : q.step === '1m' ? 'm1' : 'h1';
    const fields = raw ? ['value'] : ['mean', 'min', 'max', 'count'];
    // A bucket partly inside the range is included whole.
    const from = q.step === 'raw' ? q.from : bucketStart(q.from, STEP_MS[q.step]);
    const where = Object.entries(q.match)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${quoteIdent(k)} = ${quoteString(v)}`);
    where.push(`time >= ${Math.floor(from)}ms`, `time <= ${Math.floor(q.to)}ms`);
    const statement =
      `SELECT ${fields.map(quoteIdent).join(', ')} FROM ${quoteIdent(this.db)}.${quoteIdent(rp)}.${quoteIdent(q.metric)}` +
      ` WHERE ${where.join(' AND ')} GROUP BY * ORDER BY time ASC LIMIT ${MAX_RAW_POINTS} SLIMIT ${q.maxSeries ?? DEFAULT_MAX_SERIES}`;
    let result: StatementResult | undefined;
    try {
      [result] = await this.http.query(statement);
      this.noteUp();
    } catch (err) {
      if (err instanceof InfluxUnavailableError) {
        this.noteDown(err);
        throw new UnavailableError(`time series unavailable: ${err.message}`);
      }
      throw err;
    }
    if (result?.error) {
      // Nothing written yet: no database or policy, hence no points.
      if (/not found/.test(result.error)) return [];
      throw new Error(`InfluxDB query failed: ${result.error}`);
    }
    const out: SeriesData[] = [];
    for (const s of result?.series ?? []) {
      const col = (name: string) => s.columns.indexOf(name);
      const t = col('time');
      const idx = fields.map(col);
      const points: SeriesData['points'] = [];
      for (const row of s.values) {
        if (row[idx[0]] === null || row[idx[0]] === undefined) continue;
        points.push([row[t], ...idx.map((i) => row[i])] as SeriesData['points'][number]);
      }
      if (!points.length) continue;
      // GROUP BY * names every tag key of the measurement; a series without one gets "".
      const tags: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.tags ?? {})) if (v !== '') tags[k] = v;
      out.push({ metric: q.metric, tags, points });
    }
    return out;
  }

  /** InfluxDB's retention policies drop expired shards by its own clock; nothing to do here. */
  async applyRetention(_now: number): Promise<{ raw: number; minute: number; hour: number }> {
    return { raw: 0, minute: 0, hour: 0 };
  }

  /**
   * ok while points can be made durable (in InfluxDB or the outbox), even with InfluxDB away:
   * the server keeps accepting. `backlog` counts points in the outbox; `error` says what is wrong
   * with InfluxDB, when anything is.
   */
  async health(): Promise<StoreHealth> {
    if (this.closed || !this.outbox.open) return { ok: false, error: 'the InfluxDB time-series store is closed' };
    let error: string | undefined;
    try {
      await this.http.ping();
      this.wake?.(); // InfluxDB answers: a drainer waiting out a back-off may try now
      if (this.downSince !== undefined) error = this.problem;
      error ??= this.schemaProblem;
    } catch (err) {
      this.noteDown(err as Error);
      error = (err as Error).message;
    }
    const backlog = this.outbox.backlogPoints;
    if (backlog >= this.maxBacklog) {
      return { ok: false, backlog, error: `the outbox is full (${backlog} points); ${error ?? ''}`.trim() };
    }
    return error === undefined ? { ok: true, backlog } : { ok: true, backlog, error };
  }

  /**
   * Lets writes in flight finish (into InfluxDB or the outbox), stops the drainer and closes the
   * outbox. What is still in the outbox is delivered by the next start.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    this.drainAbort.abort();
    this.wake?.();
    await this.draining;
    this.outbox.close();
  }
}

/** The rollup rows an outbox chunk touched (both resolutions). */
function touchedRows(chunks: readonly OutboxChunk[]): DirtyBucket[] {
  const t = new TouchedBuckets();
  for (const c of chunks) t.merge(TouchedBuckets.fromJSON(c.touched));
  return t.rows();
}

function statementError(r: StatementResult, statement: string | undefined): Error {
  const msg = `InfluxDB statement failed: ${r.error} (${statement?.slice(0, 200) ?? '?'})`;
  if (/database not found|retention policy not found/.test(r.error ?? '')) return new InfluxUnavailableError(msg, undefined, true);
  if (/timeout|shutting down|closed/.test(r.error ?? '')) return new InfluxUnavailableError(msg);
  return new InfluxRejectedError(msg, 200);
}
