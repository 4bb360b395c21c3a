import type { Tags } from '@zhuyun/protocol';
import type { Db } from '../db/database.js';
import type { AlertRule, Comparison, RuleScope, Severity } from './alert-rules.js';
import type { AlertInstance, AlertState } from './alert.machine.js';
import type { AlertRuleTable, AlertTable, NotificationChannelTable } from './alerts.tables.js';
import type { Channel, ChannelKind } from './notify/channels.js';
import type { AlertNotice } from './notify/messages.js';
import type { DeliveryAttempt } from './notify/webhook.sender.js';
import type { Silence } from './silences.js';
export type { AlertView, TransitionView } from '@zhuyun/protocol';
import type { AlertView, TransitionView } from '@zhuyun/protocol';

export interface DeliveryView extends DeliveryAttempt {
  id: string;
}

export interface AlertFilter {
  state?: AlertState | 'open';
  /** A district or zone: the alerts standing in it (its `district` or its `unit`). */
  district?: string;
  /** Only the alerts of this unit (its own extranet segment): a district user's scope. */
  unit?: string;
  /** Only this node's alerts. */
  node?: string;
  /** Only the alerts of these units or of these nodes (an operator's reach, issue 15). */
  within?: { units: readonly string[]; nodes: readonly string[] };
  severity?: string;
  limit: number;
}

const n = (v: unknown): number => Number(v);
const nn = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** What the machine keeps that has no column of its own. */
interface Memo {
  lastSampleAt: number;
  lastBreachAt: number;
  escalationElapsedMs: number;
  escalationClockAt: number | null;
  notified: boolean;
}

/**
 * The alert module's relational state through Kysely: the same queries on SQLite and PostgreSQL.
 * Every method is one statement or one transaction; failures reject (the service logs them).
 */
export class AlertsStore {
  constructor(private readonly db: Db) {}

  // ---- rules ----

  /** Inserts the default rules once per database (a deleted default stays deleted). Returns whether it seeded. */
  async seedRulesOnce(rules: readonly AlertRule[], key = 'rules_seeded'): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // Claimed first: instances starting together on one PostgreSQL wait here for the first one's
      // transaction, then find the key taken (docs/SCALE.md).
      const claimed = await tx
        .insertInto('alert_meta')
        .values({ key, value: String(rules[0]?.createdAt ?? 0) })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      // A rule seeded under another key already (a later built-in is in the first start's defaults too) stays as it is.
      for (const r of rules) await tx.insertInto('alert_rules').values(ruleRow(r)).onConflict((oc) => oc.column('id').doNothing()).execute();
      return true;
    });
  }

  async listRules(): Promise<AlertRule[]> {
    const rows = await this.db.selectFrom('alert_rules').selectAll().orderBy('metric').orderBy('severity').orderBy('id').execute();
    return rows.map(ruleOf);
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const r = await this.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return r && ruleOf(r);
  }

  async insertRule(r: AlertRule): Promise<void> {
    await this.db.insertInto('alert_rules').values(ruleRow(r)).execute();
  }

  async updateRule(r: AlertRule): Promise<void> {
    const { id, ...rest } = ruleRow(r);
    await this.db.updateTable('alert_rules').set(rest).where('id', '=', id).execute();
  }

  async deleteRule(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- alerts and transitions ----

  async saveAlert(a: AlertInstance): Promise<void> {
    const row = alertRow(a);
    const { id, ...rest } = row;
    await this.db.insertInto('alerts').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    void id;
  }

  async insertTransition(t: TransitionView, seq: number): Promise<void> {
    await this.db
      .insertInto('alert_transitions')
      .values({ id: t.id, alert_id: t.alertId, rule_id: t.ruleId, kind: t.kind, from_state: t.from, to_state: t.to, at: t.at, seq, value: t.value, note: t.note })
      .execute();
  }

  /** Pending and firing alerts, to put back in the machine after a restart. */
  async loadOpen(): Promise<AlertInstance[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('state', 'in', ['pending', 'firing']).execute();
    return rows.map(instanceOf);
  }

  async listAlerts(f: AlertFilter): Promise<AlertView[]> {
    let q = this.db.selectFrom('alerts').selectAll();
    if (f.state === 'open') q = q.where('state', 'in', ['pending', 'firing']);
    else if (f.state) q = q.where('state', '=', f.state);
    // Pending alerts that closed without firing are kept on record but are not news.
    else q = q.where('state', '!=', 'inactive');
    if (f.district) q = q.where((eb) => eb.or([eb('district', '=', f.district!), eb('unit', '=', f.district!)]));
    if (f.unit) q = q.where('unit', '=', f.unit);
    if (f.node) q = q.where('node', '=', f.node);
    if (f.within) {
      const { units, nodes } = f.within;
      // An empty reach matches nothing (no alert has the empty id).
      q = q.where((eb) => eb.or([...(units.length ? [eb('unit', 'in', [...units])] : []), ...(nodes.length ? [eb('node', 'in', [...nodes])] : []), eb('id', '=', '')]));
    }
    if (f.severity) q = q.where('severity', '=', f.severity);
    const rows = await q.orderBy('active_at', 'desc').orderBy('id').limit(f.limit).execute();
    return rows.map(viewOf);
  }

  async getAlert(id: string): Promise<AlertView | undefined> {
    const r = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return r && viewOf(r);
  }

  async transitions(alertId: string): Promise<TransitionView[]> {
    const rows = await this.db.selectFrom('alert_transitions').selectAll().where('alert_id', '=', alertId).orderBy('at').orderBy('seq').execute();
    return rows.map(transitionOf);
  }

  async recentTransitions(limit: number): Promise<TransitionView[]> {
    const rows = await this.db.selectFrom('alert_transitions').selectAll().orderBy('at', 'desc').orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(transitionOf);
  }

  // ---- silences ----

  async insertSilence(s: Silence): Promise<void> {
    await this.db
      .insertInto('silences')
      .values({ id: s.id, matchers: JSON.stringify(s.matchers), starts_at: s.startsAt, ends_at: s.endsAt, created_by: s.createdBy, comment: s.comment, created_at: s.createdAt })
      .execute();
  }

  /** Silences ending after `t` (active or to come), or all of them, newest first. */
  async listSilences(opts: { endingAfter?: number } = {}): Promise<Silence[]> {
    let q = this.db.selectFrom('silences').selectAll();
    if (opts.endingAfter !== undefined) q = q.where('ends_at', '>', opts.endingAfter);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(1000).execute();
    return rows.map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers),
      startsAt: n(r.starts_at),
      endsAt: n(r.ends_at),
      createdBy: r.created_by,
      comment: r.comment,
      createdAt: n(r.created_at),
    }));
  }

  /** Ends a silence at `t` (kept for the record). False when there is no such silence. */
  async expireSilence(id: string, t: number): Promise<boolean> {
    const row = await this.db.selectFrom('silences').select(['ends_at', 'starts_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return false;
    if (n(row.ends_at) > t) await this.db.updateTable('silences').set({ ends_at: Math.max(t, n(row.starts_at)) }).where('id', '=', id).execute();
    return true;
  }

  // ---- channels and deliveries ----

  async listChannels(): Promise<Channel[]> {
    const rows = await this.db.selectFrom('notification_channels').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(channelOf);
  }

  async getChannel(id: string): Promise<Channel | undefined> {
    const r = await this.db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst();
    return r && channelOf(r);
  }

  async saveChannel(c: Channel): Promise<void> {
    const row = channelRow(c);
    const { id, created_at, ...rest } = row;
    void id;
    void created_at;
    await this.db.insertInto('notification_channels').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
  }

  async deleteChannel(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('notification_channels').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async insertDelivery(id: string, d: DeliveryAttempt): Promise<void> {
    await this.db
      .insertInto('alert_deliveries')
      .values({ id, alert_id: d.alertId, channel_id: d.channelId, event: d.event, attempt: d.attempt, status: d.status, http_status: d.httpStatus, error: d.error, at: d.at })
      .execute();
  }

  // ---- the notification outbox (deliveries not finished: resumed after a restart) ----

  async insertOutbox(e: OutboxEntry): Promise<void> {
    await this.db
      .insertInto('alert_outbox')
      .values({ id: e.id, channel_id: e.channelId, notice: JSON.stringify(e.notice), next_attempt: e.nextAttempt, next_at: e.nextAt, created_at: e.createdAt })
      .execute();
  }

  async rescheduleOutbox(id: string, nextAttempt: number, nextAt: number): Promise<void> {
    await this.db.updateTable('alert_outbox').set({ next_attempt: nextAttempt, next_at: nextAt }).where('id', '=', id).execute();
  }

  async deleteOutbox(id: string): Promise<void> {
    await this.db.deleteFrom('alert_outbox').where('id', '=', id).execute();
  }

  async listOutbox(): Promise<OutboxEntry[]> {
    const rows = await this.db.selectFrom('alert_outbox').selectAll().orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, channelId: r.channel_id, notice: JSON.parse(r.notice) as AlertNotice, nextAttempt: n(r.next_attempt), nextAt: n(r.next_at), createdAt: n(r.created_at) }));
  }

  async deliveries(alertId: string): Promise<DeliveryView[]> {
    const rows = await this.db.selectFrom('alert_deliveries').selectAll().where('alert_id', '=', alertId).orderBy('at').orderBy('attempt').execute();
    return rows.map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      channelId: r.channel_id,
      event: r.event,
      attempt: n(r.attempt),
      status: r.status as DeliveryAttempt['status'],
      httpStatus: nn(r.http_status),
      error: r.error,
      at: n(r.at),
    }));
  }
}

/** A delivery not finished: its notice, channel and next attempt. */
export interface OutboxEntry {
  id: string;
  channelId: string;
  notice: AlertNotice;
  nextAttempt: number;
  nextAt: number;
  createdAt: number;
}

function ruleRow(r: AlertRule): AlertRuleTable {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    scope: JSON.stringify(r.scope),
    comparison: r.comparison,
    threshold: r.threshold,
    resolve_threshold: r.resolveThreshold,
    for_ms: r.forMs,
    keep_firing_ms: r.keepFiringMs,
    severity: r.severity,
    escalate_after_ms: r.escalateAfterMs,
    enabled: r.enabled ? 1 : 0,
    source: r.source,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function ruleOf(r: AlertRuleTable): AlertRule {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    scope: JSON.parse(r.scope) as RuleScope,
    comparison: r.comparison as Comparison,
    threshold: n(r.threshold),
    resolveThreshold: nn(r.resolve_threshold),
    forMs: n(r.for_ms),
    keepFiringMs: n(r.keep_firing_ms),
    severity: r.severity as Severity,
    escalateAfterMs: nn(r.escalate_after_ms),
    enabled: n(r.enabled) === 1,
    source: r.source,
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}

function alertRow(a: AlertInstance): AlertTable {
  const memo: Memo = {
    lastSampleAt: a.lastSampleAt,
    lastBreachAt: a.lastBreachAt,
    escalationElapsedMs: a.escalationElapsedMs,
    escalationClockAt: a.escalationClockAt,
    notified: a.notified,
  };
  return {
    id: a.id,
    rule_id: a.ruleId,
    series: a.series,
    metric: a.metric,
    district: a.tags.district,
    unit: a.tags.unit,
    node: a.tags.node,
    tags: JSON.stringify(a.tags),
    severity: a.severity,
    state: a.state,
    value: Number.isFinite(a.value) ? a.value : null,
    active_at: a.activeAt,
    fired_at: a.firedAt,
    resolved_at: a.resolvedAt,
    updated_at: a.updatedAt,
    acked_by: a.ackedBy,
    acked_at: a.ackedAt,
    ack_comment: a.ackComment,
    escalated_at: a.escalatedAt,
    suppressed: a.suppressed,
    memo: JSON.stringify(memo),
  };
}

function instanceOf(r: AlertTable): AlertInstance {
  const memo = JSON.parse(r.memo) as Memo;
  return {
    id: r.id,
    ruleId: r.rule_id,
    series: r.series,
    metric: r.metric,
    tags: JSON.parse(r.tags) as Tags,
    severity: r.severity as Severity,
    state: r.state as AlertState,
    value: nn(r.value) ?? NaN,
    activeAt: n(r.active_at),
    firedAt: nn(r.fired_at),
    resolvedAt: nn(r.resolved_at),
    updatedAt: n(r.updated_at),
    ackedBy: r.acked_by,
    ackedAt: nn(r.acked_at),
    ackComment: r.ack_comment,
    escalatedAt: nn(r.escalated_at),
    suppressed: r.suppressed,
    ...memo,
  };
}

export function viewOfInstance(a: AlertInstance): AlertView {
  return {
    id: a.id,
    ruleId: a.ruleId,
    series: a.series,
    metric: a.metric,
    tags: a.tags,
    district: a.tags.district,
    unit: a.tags.unit,
    node: a.tags.node,
    severity: a.severity,
    state: a.state,
    value: Number.isFinite(a.value) ? a.value : null,
    activeAt: a.activeAt,
    firedAt: a.firedAt,
    resolvedAt: a.resolvedAt,
    updatedAt: a.updatedAt,
    ack: a.ackedBy !== null && a.ackedAt !== null ? { by: a.ackedBy, at: a.ackedAt, comment: a.ackComment } : null,
    escalatedAt: a.escalatedAt,
    suppressed: a.suppressed,
  };
}

function viewOf(r: AlertTable): AlertView {
  return viewOfInstance(instanceOf(r));
}

function transitionOf(r: { id: string; alert_id: string; rule_id: string; kind: string; from_state: string; to_state: string; at: unknown; value: unknown; note: string | null }): TransitionView {
  return {
    id: r.id,
    alertId: r.alert_id,
    ruleId: r.rule_id,
    kind: r.kind as TransitionView['kind'],
    from: r.from_state,
    to: r.to_state,
    at: n(r.at),
    value: nn(r.value),
    note: r.note,
  };
}

function channelRow(c: Channel): NotificationChannelTable {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    url: c.url,
    secret: c.secret,
    events: JSON.stringify(c.events),
    severities: JSON.stringify(c.severities),
    districts: JSON.stringify(c.districts),
    enabled: c.enabled ? 1 : 0,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function channelOf(r: NotificationChannelTable): Channel {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as ChannelKind,
    url: r.url,
    secret: r.secret,
    events: JSON.parse(r.events),
    severities: JSON.parse(r.severities),
    districts: JSON.parse(r.districts),
    enabled: n(r.enabled) === 1,
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}
