import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  FRESH_MS,
  IngestBatchSchema,
  MAX_POINTS_PER_BATCH,
  PLATFORMS,
  validatePoint,
  type IngestRejection,
  type IngestResult,
  type IngestWarning,
  type Point,
} from '@zhuyun/protocol';
import { CollectorTokensService, type CollectorIdentity } from '../auth/collector-tokens.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { ForbiddenError, PayloadTooLargeError, UnavailableError, ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { DATABASE, type Db } from '../db/database.js';
import { MetricsService } from '../ops/metrics.service.js';
import { StatusService } from '../status/status.service.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { CardinalityService } from './cardinality.service.js';
import { NodesStore } from '../nodes/nodes.store.js';
import { NodeUnitsStore } from './node-units.store.js';

/** `x-zhuyun-sent-at`: epoch ms; absent is fine, garbage is a 400 (a bad agent says so at once). */
function parseSentAt(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const ms = Number(header);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new ValidationError(`header x-zhuyun-sent-at ${JSON.stringify(header.slice(0, 40))} must be the collector's clock in epoch milliseconds`);
  return ms;
}

/**
 * Whether a point speaks for a network node standing in its unit, which a point never moves. Not a
 * collector's own heartbeat (about the collector; LiveState skips it), nor a platform's figure: a
 * platform node reports one figure per unit it serves, tagged with that unit (`cloud-subplatform`'s
 * systems running in each unit), as LiveState keeps platform nodes apart from the units' nodes.
 */
function standsInUnit(p: Point): boolean {
  return !p.metric.startsWith('collector.') && !(p.tags.platform !== undefined && (PLATFORMS as readonly string[]).includes(p.tags.platform));
}

/** Why a point of `unit` is refused from `from` (ops/rejection-reason.ts reads it as `unit_scope`). */
function unitScopeError(unit: string, from: CollectorIdentity): string {
  const units = from.units === '*' ? '*' : [...from.units].join(', ');
  return `unit ${unit} is not among the units of collector ${from.id} (${units}): an admin registers a collector for more units with --units`;
}

/** 5 min 12 s, 3 h 4 min, 800 ms: a skew as an operator reads it. */
function formatSkew(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 1) return `${Math.abs(Math.round(ms))} ms`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

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
    private readonly nodeUnits: NodeUnitsStore,
    private readonly registry: NodesStore,
  ) {}

  onModuleInit() {
    void this.pruneBatches();
    this.pruneTimer = setInterval(() => void this.pruneBatches(), 3_600_000);
    this.pruneTimer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.pruneTimer);
  }

  /** `sentAt`: the collector's clock at send time (header x-zhuyun-sent-at), for its clock skew. */
  async ingest(authorization: string | undefined, body: unknown, userAgent?: string, sentAt?: string): Promise<IngestResult> {
    let identity;
    try {
      identity = await this.tokens.verify(authorization);
    } catch (err) {
      this.metrics.ingestBatches.inc({ outcome: 'unauthorized' });
      throw err;
    }
    // Heard from, whatever the batch turns out to be: "collector lost" is about silence.
    this.tokens.recordSeen(identity.id, userAgent);
    let sent: number | undefined;
    try {
      sent = parseSentAt(sentAt);
    } catch (err) {
      this.metrics.ingestBatches.inc({ outcome: 'invalid' });
      throw err;
    }
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
    const { accepted, rejected, warnings } = await this.accept(points, { collector, batch }, identity, sent);
    // The points are durable; remembering the id only saves work on a replay (points are idempotent).
    await this.db
      .insertInto('ingest_batches')
      .values({ collector, batch, received_at: now, accepted })
      .onConflict((oc) => oc.doNothing())
      .execute();
    this.metrics.ingestBatches.inc({ outcome: 'stored' });
    return warnings.length ? { accepted, rejected, warnings } : { accepted, rejected };
  }

  /**
   * The path every ingest protocol shares (JSON batches, line protocol): check each point, store
   * the good ones durably, feed the live status, count. Resolves only once the good points are
   * durable; throws UnavailableError (nothing acknowledged) when the store does not take them.
   * `context` names the source in logs. `from` is the collector: a point of a unit not its own,
   * or of a node known in another unit, is refused (placeOf). `sentAt`: its clock at send time.
   */
  async accept(
    points: readonly unknown[],
    context: Record<string, string>,
    from: CollectorIdentity,
    sentAt?: number,
  ): Promise<{ accepted: number; rejected: IngestRejection[]; warnings: IngestWarning[] }> {
    const now = this.clock.now();
    let good: Point[] = [];
    const goodIndex: number[] = [];
    const rejected: IngestRejection[] = [];
    points.forEach((raw, index) => {
      const r = validatePoint(raw, now);
      if (r.ok) {
        good.push(r.point);
        goodIndex.push(index);
      } else rejected.push({ index, error: r.error });
    });
    // Order matters: a point of a retired or refused node (the registry) is refused first, then a
    // point of a unit the collector may not report (neither uses
    // cardinality budget); then new nodes and series past the limits (ingest/cardinality.guard.ts);
    // only then are new nodes placed in their unit (node_units), so a refused flood writes no rows.
    let index = goodIndex;
    ({ points: good, index } = this.registered(good, index, rejected));
    ({ points: good, index } = this.inScope(good, index, from, rejected));
    const gate = this.cardinality.open(context.collector ?? from.id, now);
    let warnings: IngestWarning[] = [];
    try {
      const admitted: Point[] = [];
      const admittedIndex: number[] = [];
      good.forEach((p, i) => {
        const error = gate.admit(p);
        if (error === undefined) {
          admitted.push(p);
          admittedIndex.push(index[i]);
        } else rejected.push({ index: index[i], error });
      });
      good = await this.placeOf(admitted, admittedIndex, rejected);
      rejected.sort((a, b) => a.index - b.index);
      warnings = this.clockOf(good, from, now, sentAt);
      if (good.length) {
        try {
          await this.store.write(good);
        } catch (err) {
          this.log.error({ err, ...context }, 'time-series write failed');
          throw new UnavailableError(`storage did not take the points (${(err as Error).message}); retry`);
        }
      }
      this.status.apply(good, context.collector ?? from.id);
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
    return { accepted: good.length, rejected, warnings };
  }

  /**
   * The points of nodes the registry retired or ops refused go to `rejected`, with the reason
   * (docs/NODES.md); first of all, so they use no cardinality budget and place nothing.
   */
  private registered(good: Point[], index: number[], rejected: IngestRejection[]): { points: Point[]; index: number[] } {
    const points: Point[] = [];
    const kept: number[] = [];
    good.forEach((p, i) => {
      const b = p.metric.startsWith('collector.') ? undefined : this.registry.blocked(p.tags.node);
      if (!b) {
        points.push(p);
        kept.push(index[i]);
      } else {
        const why = b.reason ? ` (${b.reason})` : '';
        rejected.push({ index: index[i], error: b.state === 'retired' ? `node ${p.tags.node} is retired${why}: its points are refused` : `node ${p.tags.node} was refused by ops${why}: its points are refused` });
      }
    });
    return { points, index: kept };
  }

  /** The points of units `from` may not report go to `rejected`; the rest come back with their indexes. */
  private inScope(good: Point[], index: number[], from: CollectorIdentity, rejected: IngestRejection[]): { points: Point[]; index: number[] } {
    const units = from.units;
    if (units === '*') return { points: good, index };
    const points: Point[] = [];
    const kept: number[] = [];
    good.forEach((p, i) => {
      if (units.has(p.tags.unit)) {
        points.push(p);
        kept.push(index[i]);
      } else {
        rejected.push({ index: index[i], error: unitScopeError(p.tags.unit, from) });
      }
    });
    return { points, index: kept };
  }

  /**
   * A point never moves a known node to another unit: those that would go to `rejected` (with
   * their batch index); the rest is returned. A node seen for the first time is placed in its
   * point's unit. The points are already in the collector's units (inScope ran first).
   */
  private async placeOf(good: Point[], index: number[], rejected: IngestRejection[]): Promise<Point[]> {
    if (good.length === 0) return good;
    // Each node once, in the unit of its first point (a second unit in one batch is refused).
    const wanted = new Map<string, string>();
    for (const p of good) {
      if (standsInUnit(p) && !wanted.has(p.tags.node)) wanted.set(p.tags.node, p.tags.unit);
    }
    const placed = await this.nodeUnits.place(wanted);
    const kept: Point[] = [];
    good.forEach((p, i) => {
      if (!standsInUnit(p) || placed.get(p.tags.node) === p.tags.unit) kept.push(p);
      else rejected.push({ index: index[i], error: `node ${p.tags.node} belongs to unit ${placed.get(p.tags.node)}, not ${p.tags.unit}: a point does not move a node; an admin does (PUT /api/v1/nodes/${p.tags.node}/unit)` });
    });
    return kept;
  }

  /**
   * The collector's clock against the server's: noted for its health (GET /api/v1/collectors), and
   * a warning when it is more than FRESH_MS off, since then its points are stored but not live.
   * From `sentAt` when the collector sends it, else from the newest point (which a spool replay
   * also makes old: the message says so).
   */
  private clockOf(good: readonly Point[], from: CollectorIdentity, now: number, sentAt?: number): IngestWarning[] {
    let newest = -Infinity;
    let off = 0;
    for (const p of good) {
      if (p.ts > newest) newest = p.ts;
      if (Math.abs(p.ts - now) > FRESH_MS) off++;
    }
    const skewMs = sentAt !== undefined ? sentAt - now : good.length ? newest - now : undefined;
    if (skewMs === undefined) return [];
    this.tokens.recordClockSkew(from.id, skewMs);
    if (Math.abs(skewMs) <= FRESH_MS || off === 0) return [];
    const how = `${formatSkew(skewMs)} ${skewMs < 0 ? 'behind' : 'ahead of'}`;
    const basis = sentAt !== undefined ? 'by its x-zhuyun-sent-at header' : 'judged by its newest point; a spool replay of old points looks the same';
    this.log.info({ collector: from.id, skewMs, off }, 'collector clock skew');
    return [
      {
        code: 'clock_skew',
        skewMs,
        message:
          `collector clock is ${how} the server's (${basis}): ${off} of ${good.length} points are more than ${FRESH_MS / 60_000} min from server time ` +
          `${new Date(now).toISOString()}; they are stored but do not count as live, so their nodes stay "unknown". Set the collector's clock (NTP).`,
      },
    ];
  }

  private async pruneBatches(): Promise<void> {
    try {
      await this.db.deleteFrom('ingest_batches').where('received_at', '<', this.clock.now() - BATCH_MEMORY_MS).execute();
    } catch (err) {
      this.log.warn({ err }, 'pruning the batch ledger failed');
    }
  }
}
