import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { resolveUnit, seriesKey, UP_METRICS, type GroupAckResult, type Point, type Tags } from '@zhuyun/protocol';
import { randomUUID } from 'node:crypto';
import { ClusterService } from '../cluster/cluster.service.js';
import { CollectorTokensService } from '../auth/collector-tokens.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { DomainEvents, MAINTENANCE_CALENDAR, type MaintenanceCalendar, type Scope } from '../common/domain-events.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { LiveBus, type LiveKeep } from '../common/live-bus.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { StatusService } from '../status/status.service.js';
import { CardinalityService } from '../ingest/cardinality.service.js';
import { CARDINALITY_REFUSED_METRIC, CARDINALITY_RULE_ID, cardinalityRule, COLLECTOR_SILENT_METRIC, defaultRules, RuleInputSchema, ruleProblems, type AlertRule } from './alert-rules.js';
import { AlertMachine, type AlertInstance, type MachineEvent } from './alert.machine.js';
import { AlertsStore, viewOfInstance, type AlertFilter, type AlertView, type DeliveryView, type TransitionView } from './alerts.store.js';
import { ALERT_METRICS, type AlertMetricsSink } from '../ops/alert-metrics.js';
import type { AlertNotice } from './notify/messages.js';
import { NotifierService, patchObject } from './notifier.service.js';
import { SilenceInputSchema, suppressionOf, type Silence } from './silences.js';
import { parseInput } from '../common/validate.js';
export type { AlertsLiveData } from '@zhuyun/protocol';
import type { AlertsLiveData } from '@zhuyun/protocol';
import { liveOpenAlerts } from './alerts.live.js';
import { causeNode, groupAlerts, holdOf, isDownAlert } from './alert-groups.js';

/** How often time-driven checks run: for-durations, keep-firing, staleness, escalation, suppression. */
export const ALERT_TICK_MS = 2_000;
/** How often collectors' last-seen times are read for the collector-lost rule. */
const COLLECTOR_CHECK_MS = 10_000;
/** Points older than this when they arrive (a spool replaying an outage) are history, not alerts. */
export const LATE_POINT_MS = 5 * 60_000;
/** Bounds of the `alerts` live topic. */
const LIVE_OPEN_MAX = 200;
const LIVE_TRANSITIONS_MAX = 50;
/** How often an instance that does not lead re-reads the alerts (besides the leader's signals). */
const FOLLOWER_RESYNC_MS = 5_000;

/**
 * The alert engine's shell (docs/ALERTS.md): feeds accepted points and a periodic tick to the pure
 * AlertMachine, stores every change (write-behind, in order, never per point), emits domain events,
 * notifies channels and serves the `alerts` live topic.
 */
@Injectable()
export class AlertsService implements OnModuleInit, OnModuleDestroy {
  private machine: AlertMachine;
  private stopCluster: Array<() => void> = [];
  private resyncing?: Promise<void>;
  private resyncAgain = false;
  private rules = new Map<string, AlertRule>();
  private silences: Silence[] = [];
  private recent: TransitionView[] = [];
  private writes: Promise<void> = Promise.resolve();
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private lastCollectorCheck = -Infinity;

  constructor(
    private readonly store: AlertsStore,
    private readonly notifier: NotifierService,
    private readonly status: StatusService,
    private readonly collectors: CollectorTokensService,
    private readonly events: DomainEvents,
    private readonly bus: LiveBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() @Inject(MAINTENANCE_CALENDAR) private readonly calendar?: MaintenanceCalendar,
    @Optional() @Inject(ALERT_METRICS) private readonly metrics?: AlertMetricsSink,
    @Optional() private readonly cluster?: ClusterService,
    @Optional() private readonly cardinality?: CardinalityService,
  ) {
    this.machine = this.newMachine();
  }

  private newMachine(): AlertMachine {
    let down = { at: NaN, nodes: new Set<string>() };
    const m: AlertMachine = new AlertMachine(
      {
        suppression: (a, t) => {
          const n = this.status.node(a.tags.node);
          // Once per instant (a tick re-checks every firing alert at one `t`): O(open alerts).
          if (down.at !== t) down = { at: t, nodes: nodesWithDownAlerts(m) };
          const downAlerts = down.nodes;
          return suppressionOf(
            a,
            t,
            this.silences,
            () => n?.behind ?? this.downAncestor(a.tags.node, downAlerts),
            (node) => downAlerts.has(node) || (n !== null && UP_METRICS.some((k) => n.metrics[k] === 0)),
          );
        },
        inMaintenance: (a, t) => this.calendar?.inMaintenance(scopeOf(a), t) ?? false,
      },
      () => `al-${randomUUID()}`,
    );
    return m;
  }

  /** The parent of every node the live status knows (configured, else the points' tag), read at most once a second. */
  private parentsAt = -Infinity;
  private parents = new Map<string, string>();
  private parentMap(): Map<string, string> {
    const now = this.clock.now();
    if (now - this.parentsAt >= 1_000) {
      this.parents = new Map(this.status.topology().flatMap((n) => (n.parent !== undefined ? [[n.node, n.parent] as [string, string]] : [])));
      this.parentsAt = now;
    }
    return this.parents;
  }

  /**
   * The nearest ancestor with an open down alert: an alert is held back behind it even while the
   * live status has it up for a moment (another probe still reaches it, a point late past its
   * freshness) or not yet down; a down status and a firing down alert say the same outage.
   */
  private downAncestor(node: string, downAlerts: ReadonlySet<string>): string | undefined {
    if (downAlerts.size === 0) return undefined;
    const parents = this.parentMap();
    const seen = new Set<string>([node]);
    for (let cur = parents.get(node); cur !== undefined && !seen.has(cur); cur = parents.get(cur)) {
      if (downAlerts.has(cur)) return cur;
      seen.add(cur);
    }
    return undefined;
  }

  /**
   * Several instances (docs/SCALE.md): only the leader evaluates points and ticks, stores
   * transitions and notifies. Every other instance keeps a copy read from the database (for the
   * `alerts` topic and acknowledgements), re-read when another instance says alerts changed and
   * every FOLLOWER_RESYNC_MS; a new leader re-reads before it evaluates.
   */
  private leads(): boolean {
    return this.cluster?.isLeader() ?? true;
  }

  async onModuleInit() {
    await this.load();
    this.bus.serve('alerts', (keep) => this.liveData(keep));
    this.unsubscribe = this.status.onPoints((points, now) => this.onPoints(points, now));
    this.timer = setInterval(() => void this.tick().catch((err) => this.log.error({ err }, 'alert tick failed')), ALERT_TICK_MS);
    this.timer.unref();
    if (this.cluster?.clustered) {
      this.stopCluster.push(
        this.cluster.onLeaderChange((leader) => {
          if (!leader) return;
          // A new leader takes over the deliveries the last one left in the outbox.
          void this.resync().then(() => this.notifier.resume()).catch((err) => this.log.error({ err }, 'alerts: taking the lead failed'));
        }),
        this.cluster.onSignal('alerts.changed', () => void this.resync()),
      );
      const t = setInterval(() => {
        if (!this.leads()) void this.resync();
      }, FOLLOWER_RESYNC_MS);
      t.unref();
      this.stopCluster.push(() => clearInterval(t));
    }
  }

  /** Re-reads rules, silences, open alerts and recent transitions from the database (never emits). */
  resync(): Promise<void> {
    // Asked again while re-reading: once more afterwards, so the last change is not missed.
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      try {
        this.resyncAgain = false;
        await this.idle();
        const now = this.clock.now();
        const rules = await this.store.listRules();
        const open = await this.store.loadOpen();
        const silences = await this.store.listSilences({ endingAfter: now });
        const recent = newsOnly(await this.store.recentTransitions(LIVE_TRANSITIONS_MAX * 2));
        // Channels too: another instance may have changed them (the leader sends with what it read).
        await this.notifier.load();
        const m = this.newMachine();
        m.setRules(rules, now);
        m.restore(open);
        // What the stored state implies was already handled by whoever stored it.
        m.drain();
        this.machine = m;
        this.rules = new Map(rules.map((r) => [r.id, r]));
        this.silences = silences;
        this.recent = recent;
        this.bus.markDirty('alerts');
      } catch (err) {
        this.log.error({ err }, 'alerts: re-reading the stored state failed');
      } finally {
        this.resyncing = undefined;
      }
      if (this.resyncAgain) await this.resync();
    })();
    return this.resyncing;
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    for (const stop of this.stopCluster) stop();
    this.unsubscribe?.();
    await this.idle();
  }

  /** Seeds the default rules at first start, then reads rules, silences, channels and open alerts. */
  async load(): Promise<void> {
    const now = this.clock.now();
    if (await this.store.seedRulesOnce(defaultRules(now))) this.log.info('alert rules: defaults seeded');
    // A built-in added after the first start reaches databases seeded before it, once.
    await this.store.seedRulesOnce([cardinalityRule(now)], `rule_seeded:${CARDINALITY_RULE_ID}`);
    await this.reloadRules(now);
    this.machine.restore(await this.store.loadOpen());
    this.silences = await this.store.listSilences({ endingAfter: now });
    this.recent = newsOnly(await this.store.recentTransitions(LIVE_TRANSITIONS_MAX * 2));
    await this.notifier.load();
    // Deliveries a restart cut short go on (only where notifications are sent: the leader).
    if (this.leads()) await this.notifier.resume();
  }

  /** Resolves when every change so far is stored and every notification so far is delivered or given up. */
  async idle(): Promise<void> {
    await this.writes;
    await this.notifier.idle();
    await this.writes;
  }

  /**
   * Accepted points (StatusService.onPoints): O(points) Map lookups, no I/O unless an alert
   * changes. A point's time is its timestamp, but never later than the server's clock.
   */
  onPoints(points: readonly Point[], now: number): void {
    if (!this.leads() || this.resyncing) return;
    const m = this.machine;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (!m.watches(p.metric) || p.ts < now - LATE_POINT_MS) continue;
      m.observe(p, p.ts < now ? p.ts : now);
    }
    this.handle(m.drain());
    this.metrics?.alertEvaluated('points');
  }

  /** Time-driven checks (called every ALERT_TICK_MS; tests call it with a stepped clock). */
  async tick(): Promise<void> {
    if (!this.leads() || this.resyncing) return;
    const now = this.clock.now();
    if ((this.machine.watches(COLLECTOR_SILENT_METRIC) || this.machine.watches(CARDINALITY_REFUSED_METRIC)) && now - this.lastCollectorCheck >= COLLECTOR_CHECK_MS) {
      this.lastCollectorCheck = now;
      await this.checkCollectors(now);
    }
    this.silences = this.silences.filter((s) => s.endsAt > now);
    this.machine.tick(now);
    this.handle(this.machine.drain());
    this.metrics?.alertEvaluated('tick');
  }

  /** The collector-lost rule's samples: seconds since each active collector's last request. */
  private async checkCollectors(now: number): Promise<void> {
    for (const c of await this.collectors.list()) {
      if (c.lastSeen === null) continue;
      const where = resolveUnit(c.district) ?? { district: c.district, unit: c.district };
      const tags: Tags = { district: where.district, unit: where.unit, node: c.id, collector: c.id };
      // A revoked collector is not lost: its open alert resolves.
      const silent = c.revokedAt !== null ? 0 : Math.max(0, (now - c.lastSeen) / 1000);
      this.machine.observe({ metric: COLLECTOR_SILENT_METRIC, value: Math.round(silent), tags, key: seriesKey(COLLECTOR_SILENT_METRIC, tags) }, now);
      // The cardinality-limit rule: points of this collector refused lately (0 resolves it).
      if (this.cardinality) {
        const refused = c.revokedAt !== null ? 0 : this.cardinality.recentRefusals(c.id, now);
        this.machine.observe({ metric: CARDINALITY_REFUSED_METRIC, value: refused, tags, key: seriesKey(CARDINALITY_REFUSED_METRIC, tags) }, now);
      }
    }
  }

  private handle(events: MachineEvent[]): void {
    if (!events.length) return;
    for (const e of events) {
      const a = e.alert;
      switch (e.type) {
        case 'transition':
          this.record(a, { kind: 'state', from: e.from, to: e.to, at: e.at, note: e.note ?? null });
          this.events.emit('alert.transition', { alertId: a.id, rule: a.ruleId, scope: scopeOf(a), from: e.from, to: e.to, at: e.at, severity: a.severity });
          break;
        case 'ack':
          this.record(a, { kind: 'ack', from: a.state, to: a.state, at: e.at, note: `${a.ackedBy}${a.ackComment ? `: ${a.ackComment}` : ''}` });
          this.events.emit('alert.acknowledged', { alertId: a.id, scope: scopeOf(a), at: e.at, by: a.ackedBy ?? '' });
          break;
        case 'escalation':
          this.record(a, { kind: 'escalation', from: a.state, to: a.state, at: e.at, note: `not acknowledged within ${Math.round((this.rules.get(a.ruleId)?.escalateAfterMs ?? 0) / 60_000)} min` });
          break;
        case 'update':
          this.save(a);
          break;
        case 'notify':
          this.notifier.notify(this.noticeOf(a, e.event, e.at));
          break;
      }
    }
    this.bus.markDirty('alerts');
    this.changed();
  }

  /** Several instances: the others re-read rules, silences and alerts once this one's writes are stored. */
  private changed(): void {
    if (!this.cluster?.clustered) return;
    void this.writes.then(() => this.cluster?.signal('alerts.changed'));
  }

  /** Stores the alert as it is now and one history row; both in the write queue, in order. */
  private record(a: AlertInstance, t: Omit<TransitionView, 'id' | 'alertId' | 'ruleId' | 'value'>): void {
    const view: TransitionView = { id: randomUUID(), alertId: a.id, ruleId: a.ruleId, value: Number.isFinite(a.value) ? a.value : null, ...t };
    const seq = ++this.seq;
    // A pending alert closing without having fired was never news: it and its opening leave the
    // live feed (they stay in the alert's own history).
    if (isQuietClose(view)) this.recent = this.recent.filter((r) => r.alertId !== view.alertId);
    else {
      this.recent.unshift(view);
      if (this.recent.length > LIVE_TRANSITIONS_MAX) this.recent.length = LIVE_TRANSITIONS_MAX;
    }
    this.save(a);
    this.enqueue(() => this.store.insertTransition(view, seq));
  }

  private save(a: AlertInstance): void {
    const snapshot: AlertInstance = { ...a, tags: { ...a.tags } };
    this.enqueue(() => this.store.saveAlert(snapshot));
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((err) => this.log.error({ err }, 'could not store an alert change'));
  }

  private noticeOf(a: AlertInstance, event: AlertNotice['event'], at: number): AlertNotice {
    const r = this.rules.get(a.ruleId);
    return {
      event,
      alertId: a.id,
      ruleId: a.ruleId,
      ruleName: r?.name ?? a.ruleId,
      metric: a.metric,
      severity: a.severity,
      comparison: r?.comparison ?? '',
      threshold: r?.threshold ?? NaN,
      value: a.value,
      district: a.tags.district,
      unit: a.tags.unit,
      node: a.tags.node,
      activeAt: a.activeAt,
      firedAt: a.firedAt,
      resolvedAt: a.resolvedAt,
      at,
      suppressed: a.suppressed,
      ...named(this.status.nodeName(a.tags.node), 'nodeName'),
      ...named(causeNameOf(a.suppressed, (id) => this.status.nodeName(id)), 'suppressedName'),
    };
  }

  // ---- alerts ----

  /** Alerts from storage (open and closed), newest first. */
  async list(filter: AlertFilter, keep?: LiveKeep): Promise<Array<AlertView & { ruleName: string | null; name?: string }>> {
    await this.writes;
    const groups = this.groups(this.openWithin(keep));
    return (await this.store.listAlerts(filter)).map((v) => this.decorated(this.named(v), groups));
  }

  /** One alert with its history (state changes, acknowledgement, escalation). */
  async get(id: string): Promise<AlertView & { ruleName: string | null; name?: string; transitions: TransitionView[] }> {
    await this.writes;
    const v = await this.store.getAlert(id);
    if (!v) throw new NotFoundError(`no alert ${id}`);
    return { ...this.named(v), transitions: await this.store.transitions(id) };
  }

  /**
   * Acknowledges an open (pending or firing) alert: who, when, why; stops its escalation. Emits
   * `alert.acknowledged`. ConflictError when it is closed or already acknowledged.
   */
  async ack(id: string, by: string, comment: string | null): Promise<AlertView & { ruleName: string | null; name?: string }> {
    const open = this.machine.get(id);
    if (!open) {
      await this.writes;
      const stored = await this.store.getAlert(id);
      if (!stored) throw new NotFoundError(`no alert ${id}`);
      throw new ConflictError(`alert ${id} is ${stored.state}: only a pending or firing alert can be acknowledged`);
    }
    if (open.ackedAt !== null) throw new ConflictError(`alert ${id} was acknowledged by ${open.ackedBy} at ${new Date(open.ackedAt).toISOString()}`);
    const a = this.machine.ack(id, by, comment, this.clock.now())!;
    this.handle(this.machine.drain());
    await this.writes;
    return this.named(viewOfInstance(a));
  }

  async deliveries(alertId: string): Promise<DeliveryView[]> {
    await this.writes;
    if (!(await this.store.getAlert(alertId))) throw new NotFoundError(`no alert ${alertId}`);
    return this.store.deliveries(alertId);
  }

  /**
   * What the `alerts` live topic carries; with `keep`, a scoped audience's part of it (issue 15): its
   * open alerts, counted, and the transitions of those alerts only.
   */
  liveData(keep?: LiveKeep): AlertsLiveData {
    const open = this.openWithin(keep);
    const ids = keep ? new Set(open.map((a) => a.id)) : undefined;
    const counts = { pending: 0, firing: 0, acknowledged: 0, suppressed: 0, escalated: 0 };
    for (const a of open) {
      if (a.state === 'pending') counts.pending++;
      else counts.firing++;
      if (a.ackedAt !== null) counts.acknowledged++;
      if (a.suppressed !== null) counts.suppressed++;
      if (a.escalatedAt !== null) counts.escalated++;
    }
    const groups = this.groups(open);
    return {
      ts: this.clock.now(),
      counts,
      open: liveOpenAlerts(open, LIVE_OPEN_MAX).map((a) => this.decorated(this.named(viewOfInstance(a)), groups)),
      transitions: ids ? this.recent.filter((t) => ids.has(t.alertId)) : this.recent.slice(),
    };
  }

  /**
   * The open alerts a scoped audience sees (`keep`: a district user's unit, an operator's reach);
   * all without it. Groups are formed over these, so a scoped user's group ids and sizes are the
   * same on the list, the live topic and the group acknowledgement, and count nothing of another unit.
   */
  private openWithin(keep?: LiveKeep): AlertInstance[] {
    const all = this.machine.openAlerts();
    return keep ? all.filter((a) => keep({ unit: a.tags.unit ?? a.tags.district ?? '', node: a.tags.node ?? '' })) : all;
  }

  /** The outage group of each open alert, with the groups' sizes (alert-groups.ts). */
  private groups(open = this.machine.openAlerts()): { of: Map<string, string>; size: Map<string, number> } {
    const of = groupAlerts(open);
    const size = new Map<string, number>();
    for (const g of of.values()) size.set(g, (size.get(g) ?? 0) + 1);
    return { of, size };
  }

  /**
   * An open alert as served: its outage group and the group's size, the name of the node it is
   * held back behind, and why it still fires when its value no longer breaches. A closed one as stored.
   */
  private decorated<T extends AlertView>(v: T, groups: { of: Map<string, string>; size: Map<string, number> }): T {
    const a = this.machine.get(v.id);
    if (!a) return v;
    const group = groups.of.get(v.id);
    const cause = causeNode(a.suppressed);
    const causeName = cause !== null ? this.status.nodeName(cause) : undefined;
    return {
      ...v,
      // The latest value (storage keeps the value of the last change), so the hold matches it.
      value: Number.isFinite(a.value) ? a.value : null,
      ...(group !== undefined ? { group, groupSize: groups.size.get(group) ?? 1 } : {}),
      ...(causeName !== undefined ? { suppressedName: causeName } : {}),
      hold: holdOf(a, this.rules.get(a.ruleId)),
    };
  }

  /**
   * Acknowledges every open, not yet acknowledged member of an outage group (the group is the id
   * of its lead alert, as served): one click for an outage. `sees` keeps the members the user may
   * act on. NotFoundError when no open alert is in that group.
   */
  async ackGroup(group: string, by: string, comment: string | null, keep?: LiveKeep): Promise<GroupAckResult> {
    const open = this.openWithin(keep);
    const { of } = this.groups(open);
    const members = open.filter((a) => of.get(a.id) === group);
    if (members.length === 0) throw new NotFoundError(`no open alert group ${group}`);
    const at = this.clock.now();
    const acknowledged: string[] = [];
    const already: string[] = [];
    for (const a of members) {
      if (a.ackedAt !== null) already.push(a.id);
      else {
        this.machine.ack(a.id, by, comment, at);
        acknowledged.push(a.id);
      }
    }
    this.handle(this.machine.drain());
    await this.writes;
    return { group, acknowledged, already };
  }

  /** The alert as it is served: its rule's name, and its node's registry name when it has one (docs/ALERTS.md). */
  private named<T extends AlertView>(v: T): T & { ruleName: string | null; name?: string } {
    const name = v.node ? this.status.nodeName(v.node) : undefined;
    return { ...v, ruleName: this.rules.get(v.ruleId)?.name ?? null, ...(name !== undefined ? { name } : {}) };
  }

  // ---- rules ----

  listRules(): AlertRule[] {
    return [...this.rules.values()];
  }

  getRule(id: string): AlertRule {
    const r = this.rules.get(id);
    if (!r) throw new NotFoundError(`no alert rule ${id}`);
    return r;
  }

  async createRule(body: unknown, by = 'api'): Promise<AlertRule> {
    const input = parseInput(RuleInputSchema, body, 'alert rule');
    const now = this.clock.now();
    const rule: AlertRule = { id: `rule-${randomUUID().slice(0, 8)}`, ...input, source: by, createdAt: now, updatedAt: now };
    checkRule(rule);
    await this.store.insertRule(rule);
    await this.reloadRules(now);
    return rule;
  }

  /** Changes the given fields of a rule; its open alerts keep their state (see AlertMachine.setRules). */
  async updateRule(id: string, body: unknown): Promise<AlertRule> {
    const old = this.getRule(id);
    const { id: _id, source, createdAt, updatedAt: _u, ...fields } = old;
    const input = parseInput(RuleInputSchema, { ...fields, ...patchObject(body) }, 'alert rule');
    const now = this.clock.now();
    const rule: AlertRule = { id, ...input, source, createdAt, updatedAt: now };
    checkRule(rule);
    await this.store.updateRule(rule);
    await this.reloadRules(now);
    return rule;
  }

  /** Deletes a rule; its firing alerts resolve (noted "rule removed"), pending ones close. */
  async deleteRule(id: string): Promise<void> {
    if (!(await this.store.deleteRule(id))) throw new NotFoundError(`no alert rule ${id}`);
    await this.reloadRules(this.clock.now());
  }

  private async reloadRules(now: number): Promise<void> {
    const rules = await this.store.listRules();
    this.rules = new Map(rules.map((r) => [r.id, r]));
    this.machine.setRules(rules, now);
    this.handle(this.machine.drain());
    this.changed();
  }

  // ---- silences ----

  async listSilences(activeOnly: boolean): Promise<Silence[]> {
    return this.store.listSilences(activeOnly ? { endingAfter: this.clock.now() } : {});
  }

  /** Creates a silence by `actor` (the signed-in user); it takes effect on alerts at the next tick (within ALERT_TICK_MS). */
  async createSilence(body: unknown, actor: string): Promise<Silence> {
    const input = parseInput(SilenceInputSchema, body, 'silence');
    const now = this.clock.now();
    const startsAt = input.startsAt ?? now;
    if (input.endsAt <= startsAt) throw new ValidationError('bad silence: endsAt: must be after startsAt');
    if (input.endsAt <= now) throw new ValidationError('bad silence: endsAt: is in the past');
    const s: Silence = { id: `sil-${randomUUID().slice(0, 8)}`, matchers: input.matchers, startsAt, endsAt: input.endsAt, createdBy: actor, comment: input.comment, createdAt: now };
    await this.store.insertSilence(s);
    this.silences.push(s);
    this.changed();
    return s;
  }

  /** Ends a silence now (it stays on record). */
  async expireSilence(id: string): Promise<void> {
    const now = this.clock.now();
    if (!(await this.store.expireSilence(id, now))) throw new NotFoundError(`no silence ${id}`);
    this.silences = this.silences.filter((s) => s.id !== id);
    this.changed();
  }
}

function checkRule(r: AlertRule): void {
  const problems = ruleProblems(r);
  if (problems.length) throw new ValidationError(`bad alert rule: ${problems.join('; ')}`);
}

/** The alert's scope as other modules see it: district, node and SLA service. */
export function scopeOf(a: Pick<AlertInstance, 'tags'>): Scope {
  const t = a.tags;
  return { district: t.district, node: t.node, service: t.platform ?? `extranet:${t.unit}` };
}

/** Nodes with an open (pending or firing) down alert: the machine's view of who is down. */
function nodesWithDownAlerts(m: AlertMachine): Set<string> {
  const out = new Set<string>();
  for (const a of m.openAlerts()) if (isDownAlert(a) && a.tags.node) out.add(a.tags.node);
  return out;
}

/** A pending alert that closed without firing (`pending → inactive`). */
function isQuietClose(t: Pick<TransitionView, 'kind' | 'from' | 'to'>): boolean {
  return t.kind === 'state' && t.from === 'pending' && t.to === 'inactive';
}

/** The live feed's transitions from stored ones (newest first): without alerts that closed quietly. */
export function newsOnly(list: readonly TransitionView[]): TransitionView[] {
  const quiet = new Set(list.filter(isQuietClose).map((t) => t.alertId));
  return list.filter((t) => !quiet.has(t.alertId)).slice(0, LIVE_TRANSITIONS_MAX);
}

function named<K extends string>(v: string | undefined, key: K): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
}

function causeNameOf(s: string | null, nameOf: (id: string) => string | undefined): string | undefined {
  const c = causeNode(s);
  return c === null ? undefined : nameOf(c);
}
