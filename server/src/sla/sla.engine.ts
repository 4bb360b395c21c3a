import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Point } from '@zhuyun/protocol';
import { randomUUID } from 'node:crypto';
import { ClusterService } from '../cluster/cluster.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { DomainEvents, type Scope } from '../common/domain-events.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { DATABASE, type Db } from '../db/database.js';
import { StatusService } from '../status/status.service.js';
import { scheduleSpan, windowScopesService } from './maintenance.calendar.js';
import { MaintenanceService } from './maintenance.service.js';
import { SLA_SERVICES, extranetService, findService, isCoreRole, isHealthMetric, serviceOfPoint } from './sla.catalog.js';
import { ReclassificationSchema, parseInput } from './sla.schemas.js';
import {
  deriveIncidents,
  denseMinutes,
  effectiveState,
  scoreMinute,
  type MinuteState,
  type NodeMinuteFacts,
  type ObservedState,
} from './sla.scoring.js';
import { MINUTE_MS, floorMinute } from './sla.time.js';

/** A minute is finalised this long after it ended: points still on their way are waited for. */
export const FINALISE_GRACE_MS = 120_000;
/** Late points are re-scored up to this age (a collector spool replays 72 h); older ones are ignored. */
export const LATE_LIMIT_MS = 73 * 3_600_000;
/** `sla_acks.source` of a node's alert acknowledgement: this prefix and the node id. */
export const ALERT_NODE_ACK = 'alert:node:';
/** Reclassifications and windows re-apply to stored minutes at most this far back. */
const REAPPLY_LIMIT_MS = 400 * 86_400_000;

/**
 * What changed: per service, the range of minutes whose stored state may have changed, or null when
 * only its incidents' acknowledgements did.
 */
export type SlaChange = ReadonlyMap<string, { from: number; to: number } | null>;
export type ChangeListener = (change: SlaChange) => void;

export interface EngineTimings {
  flushEveryMs: number;
  finaliseEveryMs: number;
  /** How long after its end a minute waits for points before it is final (ZHUYUN_SLA_GRACE). */
  graceMs?: number;
}
export const ENGINE_TIMINGS = Symbol('SLA_ENGINE_TIMINGS');

export interface Reclassification {
  id: string;
  service: string;
  from: number;
  to: number;
  state: MinuteState;
  reason: string;
  by: string;
  at: number;
}

interface FactDelta {
  service: string;
  minute: number;
  node: string;
  core: number;
  up: number;
  down: number;
  seen: number;
  successSum: number;
  successN: number;
}

const CHUNK = 400;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The SLA minute engine: hears accepted points (StatusService.onPoints) and keeps per-node facts per
 * service minute; finalises each minute FINALISE_GRACE_MS after it ended (a minute without points
 * becomes NO_DATA); re-scores finalised minutes when late points arrive (spools, up to 72 h);
 * re-applies maintenance windows and reclassifications to stored minutes; derives incidents from
 * the stored DOWN minutes. All database work runs one job at a time, in order.
 */
@Injectable()
export class SlaEngine implements OnModuleInit, OnModuleDestroy {
  private pending = new Map<string, FactDelta>();
  /** First minute not yet finalised. */
  private watermark = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private reclassifications: Reclassification[] = [];
  private readonly changeListeners = new Set<ChangeListener>();
  private unsubscribe: Array<() => void> = [];
  private readonly timings: EngineTimings;
  /** Points older than LATE_LIMIT_MS seen since start (not scored). */
  lateIgnored = 0;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly status: StatusService,
    private readonly maintenance: MaintenanceService,
    private readonly events: DomainEvents,
    @Optional() @Inject(ENGINE_TIMINGS) timings?: EngineTimings,
    @Optional() private readonly cluster?: ClusterService,
  ) {
    this.timings = timings ?? { flushEveryMs: 2_000, finaliseEveryMs: 10_000 };
    this.graceMs = this.timings.graceMs ?? FINALISE_GRACE_MS;
  }

  private readonly graceMs: number;

  /** The grace this engine finalises with (ZHUYUN_SLA_GRACE), in minutes, for the report's method. */
  graceMinutes(): number {
    return this.graceMs / 60_000;
  }

  /** The stored watermark (several instances: whoever led last moved it). */
  private async readWatermark(): Promise<number | undefined> {
    const row = await this.db.selectFrom('sla_state').select('value').where('key', '=', 'watermark').executeTakeFirst();
    return row ? Number(row.value) : undefined;
  }

  async onModuleInit() {
    const stored = await this.readWatermark();
    const now = this.clock.now();
    this.watermark = stored ?? floorMinute(now - this.graceMs) - MINUTE_MS;
    this.reclassifications = (await this.db.selectFrom('sla_reclassifications').selectAll().orderBy('at').execute()).map((r) => ({
      id: r.id,
      service: r.service,
      from: Number(r.from_at),
      to: Number(r.to_at),
      state: r.state as MinuteState,
      reason: r.reason,
      by: r.by,
      at: Number(r.at),
    }));
    this.unsubscribe.push(this.status.onPoints((points, at) => this.take(points, at)));
    if (this.cluster?.clustered) {
      this.unsubscribe.push(
        this.cluster.onSignal('sla.changed', (data) => {
          void this.enqueue(async () => {
            const stored = await this.readWatermark();
            if (stored !== undefined && stored > this.watermark) this.watermark = stored;
            this.emitChange(new Map(data as Array<[string, { from: number; to: number } | null]>), true);
          }).catch((err) => this.log.error({ err }, 'sla: following another instance failed'));
        }),
      );
    }
    this.unsubscribe.push(this.maintenance.onChange((w) => {
      const services = SLA_SERVICES.map((s) => s.id).filter((s) => windowScopesService(w, s));
      const span = scheduleSpan(w.schedule);
      // Only minutes from its registration on can be MAINT by it.
      void this.reapply(services, Math.max(span.from, w.requestedAt), span.to).catch((err) => this.log.error({ err }, 'sla: re-applying a maintenance window failed'));
    }));
    this.unsubscribe.push(this.events.on('alert.acknowledged', (e) => void this.recordAlertAck(e.scope, e.at, e.by).catch((err) => this.log.error({ err }, 'sla: recording an acknowledgement failed'))));
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err) => this.log.error({ err }, 'sla engine job failed')), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.timings.flushEveryMs, () => this.flush());
    every(this.timings.finaliseEveryMs, () => this.finalise());
  }

  async onModuleDestroy() {
    for (const t of this.timers) clearInterval(t);
    for (const u of this.unsubscribe) u();
    await this.flush().catch((err) => this.log.error({ err }, 'sla: last flush failed'));
  }

  /** Hears which services' stored minutes (and range) or incidents changed, after they are stored. */
  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Minutes before this (epoch ms) are final (scored; NO_DATA when nothing arrived). */
  scoredUntil(): number {
    return this.watermark;
  }

  allReclassifications(): Reclassification[] {
    return [...this.reclassifications];
  }

  /** Takes accepted points (synchronous, cheap): sums them per service, minute and node. */
  take(points: readonly Point[], now: number): void {
    // Several instances (docs/SCALE.md): each takes the points it ingested itself (the facts are
    // sums, stored additively), not those another instance shared with it.
    if (this.cluster?.applyingRemote) return;
    for (const p of points) {
      const service = serviceOfPoint(p);
      if (!service) continue;
      if (p.ts < now - LATE_LIMIT_MS) {
        this.lateIgnored++;
        continue;
      }
      const minute = floorMinute(p.ts);
      const key = `${service}\u0000${minute}\u0000${p.tags.node}`;
      let d = this.pending.get(key);
      if (!d) this.pending.set(key, (d = { service, minute, node: p.tags.node, core: 0, up: 0, down: 0, seen: 0, successSum: 0, successN: 0 }));
      d.seen++;
      if (isCoreRole(p.tags.role)) d.core = 1;
      if (isHealthMetric(p.metric)) {
        if (p.value > 0) d.up++;
        else d.down++;
      } else if (p.metric === 'share.success_pct') {
        d.successSum += p.value;
        d.successN++;
      }
    }
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Writes the facts taken since the last flush and re-scores the finalised minutes they touch
   * (late points). Resolves when stored.
   */
  flush(): Promise<void> {
    return this.enqueue(async () => {
      if (this.pending.size === 0) return;
      const deltas = [...this.pending.values()];
      this.pending = new Map();
      await this.db.transaction().execute(async (trx) => {
        for (const part of chunks(deltas)) {
          await trx
            .insertInto('sla_node_minutes')
            .values(part.map((d) => ({ service: d.service, minute: d.minute, node: d.node, core: d.core, up_n: d.up, down_n: d.down, seen_n: d.seen, success_sum: d.successSum, success_n: d.successN })))
            .onConflict((oc) =>
              oc.columns(['service', 'minute', 'node']).doUpdateSet((eb) => ({
                core: eb.ref('excluded.core'),
                up_n: eb('sla_node_minutes.up_n', '+', eb.ref('excluded.up_n')),
                down_n: eb('sla_node_minutes.down_n', '+', eb.ref('excluded.down_n')),
                seen_n: eb('sla_node_minutes.seen_n', '+', eb.ref('excluded.seen_n')),
                success_sum: eb('sla_node_minutes.success_sum', '+', eb.ref('excluded.success_sum')),
                success_n: eb('sla_node_minutes.success_n', '+', eb.ref('excluded.success_n')),
              })),
            )
            .execute();
        }
      });
      // Late points: minutes already final are scored again now.
      const late = new Map<string, Set<number>>();
      for (const d of deltas) {
        if (d.minute >= this.watermark) continue;
        let set = late.get(d.service);
        if (!set) late.set(d.service, (set = new Set()));
        set.add(d.minute);
      }
      if (late.size) await this.rescore(late);
    });
  }

  /** Finalises every minute that ended more than the grace period ago. */
  finalise(): Promise<void> {
    // Facts taken but not yet written go first, so a minute is not finalised without them.
    void this.flush().catch((err) => this.log.error({ err }, 'sla: flush failed'));
    return this.enqueue(async () => {
      // Several instances: only the leader finalises; the others follow its watermark (so that
      // their late facts re-score the minutes it finalised).
      if (this.cluster && !this.cluster.isLeader()) {
        const stored = await this.readWatermark();
        if (stored !== undefined) this.watermark = stored;
        return;
      }
      if (this.cluster?.clustered) {
        const stored = await this.readWatermark();
        if (stored !== undefined && stored > this.watermark) this.watermark = stored;
      }
      const now = this.clock.now();
      // Minute m is final once m + 1 min + grace has passed: the first minute not yet final is this.
      const until = floorMinute(now - this.graceMs);
      const limit = floorMinute(now - LATE_LIMIT_MS);
      if (this.watermark < limit) this.watermark = limit;
      if (until <= this.watermark) return;
      const services = new Set(SLA_SERVICES.map((s) => s.id));
      const first = this.watermark;
      // Bounded passes, so a long catch-up after a stop does not hold one huge transaction.
      for (let from = this.watermark; from < until; from += 360 * MINUTE_MS) {
        const to = Math.min(until, from + 360 * MINUTE_MS);
        const minutes = new Map<string, Set<number>>();
        for (const s of services) {
          const set = new Set<number>();
          for (let m = from; m < to; m += MINUTE_MS) set.add(m);
          minutes.set(s, set);
        }
        this.watermark = to;
        await this.score(minutes);
        await this.db
          .insertInto('sla_state')
          .values({ key: 'watermark', value: String(to) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(to) }))
          .execute();
      }
      await this.db.deleteFrom('sla_node_minutes').where('minute', '<', now - LATE_LIMIT_MS - 3_600_000).execute();
      this.emitChange(new Map([...services].map((s) => [s, { from: first, to: until }])));
    });
  }

  /** Re-scores the given finalised minutes from their facts (late data). */
  private async rescore(minutes: Map<string, Set<number>>): Promise<void> {
    await this.score(minutes);
    const change = new Map<string, { from: number; to: number }>();
    for (const [service, set] of minutes) {
      const list = [...set];
      change.set(service, { from: Math.min(...list), to: Math.max(...list) + MINUTE_MS });
    }
    this.emitChange(change);
  }

  /**
   * Scores minutes from the stored facts, writes them (observed state and the state it counts as)
   * and brings the incidents of the touched ranges up to date.
   */
  private async score(minutes: Map<string, Set<number>>): Promise<void> {
    const now = this.clock.now();
    for (const [service, set] of minutes) {
      const def = findService(service);
      if (!def || set.size === 0) continue;
      const list = [...set].sort((a, b) => a - b);
      const lo = list[0];
      const hi = list[list.length - 1] + MINUTE_MS;
      const facts = await this.db.selectFrom('sla_node_minutes').selectAll().where('service', '=', service).where('minute', '>=', lo).where('minute', '<', hi).execute();
      const byMinute = new Map<number, NodeMinuteFacts[]>();
      for (const f of facts) {
        const m = Number(f.minute);
        let arr = byMinute.get(m);
        if (!arr) byMinute.set(m, (arr = []));
        arr.push({ node: f.node, core: Number(f.core) === 1, upSamples: Number(f.up_n), downSamples: Number(f.down_n), samples: Number(f.seen_n), successSum: Number(f.success_sum), successCount: Number(f.success_n) });
      }
      const rows = list.map((minute) => {
        const { state: observed, reason } = scoreMinute(def.kind, byMinute.get(minute) ?? []);
        return { service, minute, observed, state: this.stateOf(service, minute, observed), reason, scored_at: now };
      });
      await this.writeMinutes(rows);
      await this.updateIncidents(service, lo);
    }
  }

  private stateOf(service: string, minute: number, observed: ObservedState): MinuteState {
    let reclassifiedTo: MinuteState | undefined;
    for (const r of this.reclassifications) if (r.service === service && minute >= r.from && minute < r.to) reclassifiedTo = r.state; // the latest wins
    return effectiveState(observed, { maintenance: this.maintenance.covers(service, minute), reclassifiedTo });
  }

  private async writeMinutes(rows: Array<{ service: string; minute: number; observed: string; state: string; reason: string; scored_at: number }>) {
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunks(rows)) {
        await trx
          .insertInto('sla_minutes')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['service', 'minute']).doUpdateSet((eb) => ({
              observed: eb.ref('excluded.observed'),
              state: eb.ref('excluded.state'),
              reason: eb.ref('excluded.reason'),
              scored_at: eb.ref('excluded.scored_at'),
            })),
          )
          .execute();
      }
    });
  }

  /**
   * Re-applies maintenance windows and reclassifications to the stored minutes of `[from, to)`
   * (bounded by what is final and by REAPPLY_LIMIT_MS); minutes with no row become NO_DATA rows so
   * that a reclassification of a gap is kept too.
   */
  reapply(services: readonly string[], from: number, to: number): Promise<void> {
    return this.enqueue(async () => {
      const now = this.clock.now();
      const lo = Math.max(floorMinute(from), floorMinute(now - REAPPLY_LIMIT_MS));
      const hi = Math.min(Math.ceil(to / MINUTE_MS) * MINUTE_MS, this.watermark);
      if (hi <= lo) return;
      for (const service of services) {
        for (let a = lo; a < hi; a += 7 * 86_400_000) {
          const b = Math.min(hi, a + 7 * 86_400_000);
          const stored = await this.db.selectFrom('sla_minutes').select(['minute', 'observed', 'state']).where('service', '=', service).where('minute', '>=', a).where('minute', '<', b).execute();
          const byMinute = new Map(stored.map((r) => [Number(r.minute), r]));
          const rows = [];
          for (let m = a; m < b; m += MINUTE_MS) {
            const r = byMinute.get(m);
            const observed = (r?.observed ?? 'NO_DATA') as ObservedState;
            const state = this.stateOf(service, m, observed);
            if (!r || r.state !== state) rows.push({ service, minute: m, observed, state, reason: r ? 'state re-applied' : 'no point arrived for this minute', scored_at: now });
          }
          if (rows.length) await this.writeMinutes(rows);
        }
        await this.updateIncidents(service, lo);
      }
      this.emitChange(new Map(services.map((s) => [s, { from: lo, to: hi }])));
    });
  }

  /**
   * Minutes of `[from, to)` were written beside the engine (the demo's simulated history,
   * simulation/history.service.ts): whoever cached them (the SLA service's day counts, the `sla`
   * topic) reads them again.
   */
  written(services: readonly string[], from: number, to: number): void {
    this.emitChange(new Map(services.map((s) => [s, { from, to }])));
  }

  /** Records a reclassification by `actor` (who, when, why) and applies it; the observed states are kept. */
  async reclassify(input: unknown, actor: string): Promise<Reclassification> {
    const v = parseInput(ReclassificationSchema, input, 'reclassification');
    const r: Reclassification = { id: randomUUID(), service: v.service, from: floorMinute(v.from), to: Math.ceil(v.to / MINUTE_MS) * MINUTE_MS, state: v.state, reason: v.reason, by: actor, at: this.clock.now() };
    await this.db.insertInto('sla_reclassifications').values({ id: r.id, service: r.service, from_at: r.from, to_at: r.to, state: r.state, reason: r.reason, by: r.by, at: r.at }).execute();
    this.reclassifications.push(r);
    await this.reapply([r.service], r.from, r.to);
    return r;
  }

  /**
   * Derives the incidents of a service around `[from, to)` from its stored minutes and reconciles
   * the stored ones: an incident keeps its id while its DOWN run changes (late data, merges);
   * acknowledgements of a removed incident move to the one that took its place.
   */
  private async updateIncidents(service: string, from: number): Promise<void> {
    let lo = from - 15 * MINUTE_MS;
    for (let i = 0; i < 10; i++) {
      const earlier = await this.db.selectFrom('sla_incidents').select((eb) => eb.fn.min('start_at').as('s')).where('service', '=', service).where('end_at', '>', lo).where('start_at', '<', lo).executeTakeFirst();
      const s = earlier?.s === null || earlier?.s === undefined ? undefined : Number(earlier.s);
      if (s === undefined || s >= lo) break;
      lo = s - 15 * MINUTE_MS;
    }
    const hi = this.watermark;
    if (hi <= lo) return;
    const rows = await this.db.selectFrom('sla_minutes').select(['minute', 'state', 'reason']).where('service', '=', service).where('minute', '>=', lo).where('minute', '<', hi).execute();
    const reasons = new Map(rows.map((r) => [Number(r.minute), r.reason]));
    // Priority from the cause (its first DOWN minute), as the alerts mean P1–P3 (sla.scoring severityOfCause).
    const derived = deriveIncidents(denseMinutes(rows.map((r) => ({ minute: Number(r.minute), state: r.state as MinuteState })), lo, hi), lo, (m) => reasons.get(m) ?? '');
    const stored = await this.db.selectFrom('sla_incidents').selectAll().where('service', '=', service).where('end_at', '>', lo).where('start_at', '<', hi).orderBy('start_at').execute();
    const now = this.clock.now();
    const used = new Set<string>();
    await this.db.transaction().execute(async (trx) => {
      for (const d of derived) {
        const match = stored.find((s) => !used.has(s.id) && Number(s.start_at) < d.end && Number(s.end_at) > d.start);
        if (match) {
          used.add(match.id);
          // Others overlapping the same run were merged into it: their acknowledgements follow.
          for (const other of stored.filter((s) => !used.has(s.id) && Number(s.start_at) < d.end && Number(s.end_at) > d.start)) {
            used.add(other.id);
            await trx.updateTable('sla_acks').set({ incident_id: match.id }).where('incident_id', '=', other.id).execute();
            await trx.deleteFrom('sla_incidents').where('id', '=', other.id).execute();
          }
          const same = Number(match.start_at) === d.start && Number(match.end_at) === d.end && Number(match.open) === (d.open ? 1 : 0) && match.severity === d.severity && Number(match.down_minutes) === d.downMinutes;
          if (!same) {
            await trx.updateTable('sla_incidents').set({ start_at: d.start, end_at: d.end, down_minutes: d.downMinutes, open: d.open ? 1 : 0, severity: d.severity, updated_at: now }).where('id', '=', match.id).execute();
          }
        } else {
          await trx.insertInto('sla_incidents').values({ id: randomUUID(), service, start_at: d.start, end_at: d.end, down_minutes: d.downMinutes, open: d.open ? 1 : 0, severity: d.severity, updated_at: now }).execute();
        }
      }
      for (const s of stored) {
        if (used.has(s.id)) continue;
        // Its DOWN minutes are gone (late data said UP, a window or a reclassification): no incident.
        await trx.deleteFrom('sla_incidents').where('id', '=', s.id).execute();
      }
    });
  }

  /**
   * An alert acknowledgement (DomainEvents) for the incidents of the services in its scope. A node's
   * alert is stored with its node (`source` = `alert:node:<id>`): it is credited only to an incident
   * whose cause is that node, or names none (SlaService.withAcks, sla.scoring ackCredits).
   */
  async recordAlertAck(scope: Scope, at: number, by: string): Promise<void> {
    const services = new Set<string>();
    if (scope.service && findService(scope.service)) services.add(scope.service);
    if (scope.district) {
      const s = extranetService(scope.district);
      if (s) services.add(s);
    }
    if (scope.node) {
      const n = this.status.node(scope.node);
      if (n) {
        const s = n.platform ?? extranetService(n.unit);
        if (s) services.add(s);
      }
    }
    if (!services.size) return;
    const source = scope.node ? `${ALERT_NODE_ACK}${scope.node}` : 'alert';
    await this.db.insertInto('sla_acks').values([...services].map((service) => ({ id: randomUUID(), service, incident_id: null, at, by, source }))).execute();
    this.emitChange(new Map([...services].map((s) => [s, null])));
  }

  /** An acknowledgement through the SLA API for one incident. */
  async recordIncidentAck(incidentId: string, service: string, at: number, by: string): Promise<void> {
    await this.db.insertInto('sla_acks').values({ id: randomUUID(), service, incident_id: incidentId, at, by, source: 'api' }).execute();
    this.emitChange(new Map([[service, null]]));
  }

  private emitChange(change: SlaChange, fromOtherInstance = false) {
    // Several instances: the others forget the same cached days and refresh their `sla` topic.
    if (!fromOtherInstance && this.cluster?.clustered) this.cluster.signal('sla.changed', [...change]);
    for (const l of this.changeListeners) {
      try {
        l(change);
      } catch (err) {
        this.log.error({ err }, 'sla change listener failed');
      }
    }
  }
}
