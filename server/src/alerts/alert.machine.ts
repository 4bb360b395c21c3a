import { seriesKey, type Tags } from '@zhuyun/protocol';
import { compare, scopeMatches, type AlertRule, type Severity } from './alert-rules.js';
export type { AlertState } from '@zhuyun/protocol';
import type { AlertState } from '@zhuyun/protocol';

/**
 * The alert state machine (docs/ALERTS.md "States"). Pure: no clock, no timers, no I/O; time comes
 * in with every call, side effects go out as events the caller drains. One open alert per rule and
 * series:
 *
 *   inactive ──breach──▶ pending ──breach held for `forMs`──▶ firing ──recovered past the resolve
 *      ▲                    │                                         threshold for `keepFiringMs`──▶ resolved
 *      └──── no breach ─────┘ (or no data for `staleMs`)
 *
 * A pending alert that stops breaching closes as `inactive` (it never fired, nobody is told). A
 * firing alert without data stays firing (no data is no evidence of recovery; the collector-lost
 * and node-down rules speak for it). A resolved or inactive alert is closed; the next breach of the
 * same series opens a new alert with a new id.
 */

export type NotifyEvent = 'firing' | 'resolved' | 'escalation';

export interface AlertInstance {
  id: string;
  ruleId: string;
  /** The series key (`seriesKey(metric, tags)`). */
  series: string;
  metric: string;
  tags: Tags;
  severity: Severity;
  state: AlertState;
  /** Latest value seen. */
  value: number;
  /** When the breach began (entering pending). */
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  updatedAt: number;
  /** Time of the latest sample taken. */
  lastSampleAt: number;
  /** Time of the latest sample that still held the alert (for keep-firing). */
  lastBreachAt: number;
  ackedBy: string | null;
  ackedAt: number | null;
  ackComment: string | null;
  escalatedAt: number | null;
  /** Unacknowledged firing time counted toward escalation (maintenance and suppression excluded). */
  escalationElapsedMs: number;
  escalationClockAt: number | null;
  /** `silence:<id>` or `behind:<node>` while notifications are held back. */
  suppressed: string | null;
  /** Whether the firing notification went out. */
  notified: boolean;
}

export type MachineEvent =
  | { type: 'transition'; alert: AlertInstance; from: AlertState; to: AlertState; at: number; note?: string }
  | { type: 'ack'; alert: AlertInstance; at: number }
  | { type: 'escalation'; alert: AlertInstance; at: number }
  /** Suppression changed; no state change. */
  | { type: 'update'; alert: AlertInstance; at: number }
  | { type: 'notify'; alert: AlertInstance; event: NotifyEvent; at: number };

/** What the machine asks the world; pure functions of their arguments in tests. */
export interface MachineContext {
  /** Why the alert's notifications are held back at `t` (`silence:<id>`, `behind:<node>`), or null. */
  suppression(alert: AlertInstance, t: number): string | null;
  /** Whether the alert's scope is inside an approved maintenance window at `t`. */
  inMaintenance(alert: AlertInstance, t: number): boolean;
}

export interface MachineOptions {
  /** A pending alert with no sample for this long closes as inactive. */
  staleMs: number;
}

export const DEFAULT_STALE_MS = 5 * 60_000;

/** The input of `observe`: a Point as ingest hands it fits. */
export interface Observation {
  metric: string;
  value: number;
  tags: Tags;
  /** seriesKey(metric, tags); computed and cached on the object when absent and needed. */
  key?: string;
}

interface Slot {
  rule: AlertRule;
  open: Map<string, AlertInstance>;
}

export class AlertMachine {
  private readonly byMetric = new Map<string, Slot[]>();
  private readonly slots = new Map<string, Slot>();
  private readonly byId = new Map<string, AlertInstance>();
  private events: MachineEvent[] = [];

  constructor(
    private readonly ctx: MachineContext,
    private readonly newId: () => string,
    private readonly opts: MachineOptions = { staleMs: DEFAULT_STALE_MS },
  ) {}

  /**
   * Replaces the rule set. Open alerts of a rule that is gone, disabled or now watches another
   * metric are closed (a firing one resolves with a note); the others keep their state and take the
   * rule's new severity and thresholds from their next sample on.
   */
  setRules(rules: readonly AlertRule[], t: number): void {
    const next = new Map<string, Slot>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const old = this.slots.get(rule.id);
      const slot: Slot = { rule, open: old && old.rule.metric === rule.metric ? old.open : new Map() };
      for (const a of slot.open.values()) a.severity = rule.severity;
      next.set(rule.id, slot);
    }
    for (const [id, old] of this.slots) {
      if (next.get(id)?.open === old.open) continue;
      for (const a of [...old.open.values()]) this.close(old, a, t, 'rule removed, disabled or changed metric');
    }
    this.slots.clear();
    this.byMetric.clear();
    for (const [id, slot] of next) {
      this.slots.set(id, slot);
      let list = this.byMetric.get(slot.rule.metric);
      if (!list) this.byMetric.set(slot.rule.metric, (list = []));
      list.push(slot);
    }
  }

  /** Whether any enabled rule watches this metric (one Map lookup). */
  watches(metric: string): boolean {
    return this.byMetric.has(metric);
  }

  /**
   * Takes one sample at time `t`. O(rules on this metric) Map lookups; allocates only when a
   * series breaches. A sample older than the alert's latest is ignored (out of order).
   */
  observe(p: Observation, t: number): void {
    const slots = this.byMetric.get(p.metric);
    if (!slots) return;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const rule = slot.rule;
      if (!scopeMatches(rule.scope, p.tags)) continue;
      const breach = compare(p.value, rule.comparison, rule.threshold);
      // The common case (a healthy series, no open alert on this rule) needs no key at all.
      if (!breach && slot.open.size === 0) continue;
      const key = (p.key ??= seriesKey(p.metric, p.tags));
      const a = slot.open.get(key);
      if (!a) {
        if (breach) this.open(slot, p, key, t);
        continue;
      }
      if (t < a.lastSampleAt) continue;
      a.value = p.value;
      a.lastSampleAt = t;
      if (a.state === 'pending') {
        if (!breach) this.close(slot, a, t);
        else {
          a.lastBreachAt = t;
          if (t - a.activeAt >= rule.forMs) this.fire(a, t);
        }
      } else if (a.state === 'firing') {
        const held = compare(p.value, rule.comparison, rule.resolveThreshold ?? rule.threshold);
        if (held) a.lastBreachAt = t;
        else if (t - a.lastBreachAt >= rule.keepFiringMs) this.close(slot, a, t);
      }
    }
  }

  /**
   * Time passes: pending alerts whose for-duration elapsed fire, stale pending ones close, firing
   * ones past keep-firing resolve, suppression is re-checked (a firing alert released from a
   * silence or from behind its parent is notified then), and escalation clocks run.
   */
  tick(now: number): void {
    for (const slot of this.slots.values()) {
      const rule = slot.rule;
      for (const a of [...slot.open.values()]) {
        if (a.state === 'pending') {
          if (now - a.lastSampleAt > this.opts.staleMs) this.close(slot, a, now, 'no data');
          else if (now - a.activeAt >= rule.forMs) this.fire(a, now);
          else this.resuppress(a, now);
          continue;
        }
        if (a.state !== 'firing') continue;
        if (a.lastBreachAt < a.lastSampleAt && now - a.lastBreachAt >= rule.keepFiringMs) {
          this.close(slot, a, now);
          continue;
        }
        if (this.resuppress(a, now) && a.suppressed === null && !a.notified) this.notifyFiring(a, now);
        this.runEscalation(rule, a, now);
      }
    }
  }

  /**
   * Re-checks why the alert is held back (pending ones too: a loss alert of a down node, the
   * villages' alerts behind a down core, are held back before they fire, so the live topic ranks
   * them after what is not). Returns whether it changed.
   */
  private resuppress(a: AlertInstance, now: number): boolean {
    const s = this.ctx.suppression(a, now);
    if (s === a.suppressed) return false;
    a.suppressed = s;
    a.updatedAt = now;
    this.events.push({ type: 'update', alert: a, at: now });
    return true;
  }

  /** Records who acknowledged an open alert; escalation stops. Returns false if no such open alert. */
  ack(id: string, by: string, comment: string | null, at: number): AlertInstance | undefined {
    const a = this.byId.get(id);
    if (!a) return undefined;
    a.ackedBy = by;
    a.ackedAt = at;
    a.ackComment = comment;
    a.updatedAt = at;
    this.events.push({ type: 'ack', alert: a, at });
    return a;
  }

  /** Puts back open alerts read from storage (after a restart); their rules must be set first. */
  restore(alerts: readonly AlertInstance[]): void {
    for (const a of alerts) {
      const slot = this.slots.get(a.ruleId);
      if (!slot || (a.state !== 'pending' && a.state !== 'firing')) continue;
      // Keyed afresh from metric and tags: a row stored before series keys escaped their tag
      // values (issue 13) holds the old key, which new samples would no longer find.
      a.series = seriesKey(a.metric, a.tags);
      slot.open.set(a.series, a);
      this.byId.set(a.id, a);
    }
  }

  /** An open (pending or firing) alert by id. */
  get(id: string): AlertInstance | undefined {
    return this.byId.get(id);
  }

  /** Every open alert. */
  openAlerts(): AlertInstance[] {
    return [...this.byId.values()];
  }

  rule(id: string): AlertRule | undefined {
    return this.slots.get(id)?.rule;
  }

  /** The events since the last drain, in order. */
  drain(): MachineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private open(slot: Slot, p: Observation, key: string, t: number): void {
    const a: AlertInstance = {
      id: this.newId(),
      ruleId: slot.rule.id,
      series: key,
      metric: p.metric,
      tags: p.tags,
      severity: slot.rule.severity,
      state: 'inactive',
      value: p.value,
      activeAt: t,
      firedAt: null,
      resolvedAt: null,
      updatedAt: t,
      lastSampleAt: t,
      lastBreachAt: t,
      ackedBy: null,
      ackedAt: null,
      ackComment: null,
      escalatedAt: null,
      escalationElapsedMs: 0,
      escalationClockAt: null,
      suppressed: null,
      notified: false,
    };
    slot.open.set(key, a);
    this.byId.set(a.id, a);
    a.suppressed = this.ctx.suppression(a, t);
    this.transition(a, 'pending', t);
    if (slot.rule.forMs === 0) this.fire(a, t);
  }

  private fire(a: AlertInstance, t: number): void {
    a.firedAt = t;
    a.escalationClockAt = t;
    a.suppressed = this.ctx.suppression(a, t);
    this.transition(a, 'firing', t);
    if (a.suppressed === null) this.notifyFiring(a, t);
  }

  private notifyFiring(a: AlertInstance, t: number): void {
    a.notified = true;
    this.events.push({ type: 'notify', alert: a, event: 'firing', at: t });
  }

  /** Pending → inactive, firing → resolved; the alert leaves the open set. */
  private close(slot: Slot, a: AlertInstance, t: number, note?: string): void {
    slot.open.delete(a.series);
    this.byId.delete(a.id);
    if (a.state === 'pending') {
      this.transition(a, 'inactive', t, note);
      return;
    }
    a.resolvedAt = t;
    // A resolution is never held back by topology; only an alert silenced all its life (nobody
    // was told it fired) resolves quietly.
    const silencedThroughout = !a.notified && a.suppressed?.startsWith('silence:') === true;
    a.suppressed = null;
    this.transition(a, 'resolved', t, note);
    if (!silencedThroughout) this.events.push({ type: 'notify', alert: a, event: 'resolved', at: t });
  }

  private transition(a: AlertInstance, to: AlertState, t: number, note?: string): void {
    const from = a.state;
    a.state = to;
    a.updatedAt = t;
    this.events.push({ type: 'transition', alert: a, from, to, at: t, ...(note ? { note } : {}) });
  }

  private runEscalation(rule: AlertRule, a: AlertInstance, now: number): void {
    if (a.ackedAt !== null || a.escalatedAt !== null) return;
    const since = a.escalationClockAt ?? a.firedAt ?? now;
    // The clock is paused while the scope is in maintenance and while the alert is suppressed. It
    // runs even for a rule without escalation, so that adding one later counts the same time.
    if (a.suppressed === null && !this.ctx.inMaintenance(a, now)) a.escalationElapsedMs += Math.max(0, now - since);
    a.escalationClockAt = now;
    if (rule.escalateAfterMs !== null && a.escalationElapsedMs >= rule.escalateAfterMs) {
      a.escalatedAt = now;
      a.updatedAt = now;
      this.events.push({ type: 'escalation', alert: a, at: now });
      this.events.push({ type: 'notify', alert: a, event: 'escalation', at: now });
    }
  }
}
