import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  IngestBatchSchema,
  MAX_POINTS_PER_BATCH,
  validatePoint,
  type IngestRejection,
  type IngestResult,
  type Point,
} from '@zhuyun/protocol';
import { CollectorTokensService } from '../auth/collector-tokens.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { ForbiddenError, PayloadTooLargeError, UnavailableError, ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { DATABASE, type Db } from '../db/database.js';
import { MetricsService } from '../ops/metrics.service.js';
import { StatusService } from '../status/status.service.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { CardinalityService } from './cardinality.service.js';

/** Batch ids are remembered this long: longer than a collector's spool (72 h) keeps a batch. */
export const BATCH_MEMORY_MS = 7 * 24 * 3_600_000;

/**
 * `POST /api/v1/ingest`: authenticate, check the envelope, check each point, store the good ones,
 * remember the batch id, feed the live status. A batch is acknowledged only after its points are
 * durable; a repeated batch id is acknowledged without storing again.
 */
@Injectable()
export class IngestService implements OnModuleInit, OnModuleDestroy {
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly tokens: CollectorTokensService,
    private readonly status: StatusService,
    private readonly metrics: MetricsService,
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly cardinality: CardinalityService,
  ) {}

  onModuleInit() {
    void this.pruneBatches();
    this.pruneTimer = setInterval(() => void this.pruneBatches(), 3_600_000);
    this.pruneTimer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.pruneTimer);
  }

  async ingest(authorization: string | undefined, body: unknown, userAgent?: string): Promise<IngestResult> {
    let identity;
    try {
      identity = await this.tokens.verify(authorization);
    } catch (err) {
      this.metrics.ingestBatches.inc({ outcome: 'unauthorized' });
      throw err;
    }
    // Heard from, whatever the batch turns out to be: "collector lost" is about silence.
    this.tokens.recordSeen(identity.id, userAgent);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.metrics.ingestBatches.inc({ outcome: 'invalid' });
      throw new ValidationError(
        'body must be a JSON object {collector, batch, points} sent with Content-Type: application/json',
      );
    }
    const envelope = IngestBatchSchema.safeParse(body);
    if (!envelope.success) {
      this.metrics.ingestBatches.inc({ outcome: 'invalid' });
      const details = envelope.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new ValidationError(`not an ingest batch: ${details.map((d) => `${d.path || 'body'}: ${d.message}`).join('; ')}`, details);
    }
    const { collector, batch, points } = envelope.data;
    if (collector !== identity.id) {
      this.metrics.ingestBatches.inc({ outcome: 'unauthorized' });
      throw new ForbiddenError(`this token belongs to collector ${identity.id}, not ${collector}`);
    }
    if (points.length > MAX_POINTS_PER_BATCH) {
      this.metrics.ingestBatches.inc({ outcome: 'too_large' });
      throw new PayloadTooLargeError(`${points.length} points in one batch; at most ${MAX_POINTS_PER_BATCH}: split it`);
    }

    const seen = await this.db
      .selectFrom('ingest_batches')
      .select('accepted')
      .where('collector', '=', collector)
      .where('batch', '=', batch)
      .executeTakeFirst();
    if (seen) {
      this.metrics.ingestBatches.inc({ outcome: 'duplicate' });
      return { accepted: Number(seen.accepted), rejected: [], duplicate: true };
    }

    const now = this.clock.now();
    const { accepted, rejected } = await this.accept(points, { collector, batch });
    // The points are durable; remembering the id only saves work on a replay (points are idempotent).
    await this.db
      .insertInto('ingest_batches')
      .values({ collector, batch, received_at: now, accepted })
      .onConflict((oc) => oc.doNothing())
      .execute();
    this.metrics.ingestBatches.inc({ outcome: 'stored' });
    return { accepted, rejected };
  }

  /**
   * The path every ingest protocol shares (JSON batches, line protocol): check each point, store
   * the good ones durably, feed the live status, count. Resolves only once the good points are
   * durable; throws UnavailableError (nothing acknowledged) when the store does not take them.
   * `context` names the source in logs.
   */
  async accept(points: readonly unknown[], context: Record<string, string>): Promise<{ accepted: number; rejected: IngestRejection[] }> {
    const now = this.clock.now();
    const good: Point[] = [];
    const rejected: IngestRejection[] = [];
    // New nodes and series past the limits are refused one by one (ingest/cardinality.guard.ts).
    const gate = this.cardinality.open(context.collector ?? '', now);
    try {
      points.forEach((raw, index) => {
        const r = validatePoint(raw, now);
        const error = r.ok ? gate.admit(r.point) : r.error;
        if (error === undefined) good.push((r as { point: Point }).point);
        else rejected.push({ index, error });
      });
      if (good.length) {
        try {
          await this.store.write(good);
        } catch (err) {
          this.log.error({ err, ...context }, 'time-series write failed');
          throw new UnavailableError(`storage did not take the points (${(err as Error).message}); retry`);
        }
      }
      this.status.apply(good, context.collector);
    } finally {
      gate.close();
    }
    this.metrics.cardinalityRefused(gate.refused);
    this.metrics.ingestPoints.inc({ result: 'accepted' }, good.length);
    if (rejected.length) {
      this.metrics.ingestPoints.inc({ result: 'rejected' }, rejected.length);
      this.metrics.pointsRejected(rejected.map((r) => r.error));
      this.log.debug({ ...context, rejected: rejected.length, first: rejected[0] }, 'points rejected');
    }
    return { accepted: good.length, rejected };
  }

  private async pruneBatches(): Promise<void> {
    try {
      await this.db.deleteFrom('ingest_batches').where('received_at', '<', this.clock.now() - BATCH_MEMORY_MS).execute();
    } catch (err) {
      this.log.warn({ err }, 'pruning the batch ledger failed');
    }
  }
}
