import { findUnit, type AlertWithRule, type Silence, type TransitionView } from '@zhuyun/protocol';
import type { SessionUser } from '../auth/session';
import { formatNumber } from '../format/format';
import { unitName, type Locale } from '../i18n/messages';
export type { AlertState, AlertsLiveData, Silence, TransitionView } from '@zhuyun/protocol';

/**
 * What the alerts views read (docs/ALERTS.md): the live topic `alerts`, alerts and rules over REST.
 * Pure helpers here (sorting, value against threshold, who may act); the views only draw.
 */
export type Severity = 'P1' | 'P2' | 'P3';
export const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3'];
/** An alert as the views get it (REST and the `alerts` topic): with its rule's name. */
export type AlertView = AlertWithRule;

export interface AlertRule {
  id: string;
  name: string;
  metric: string;
  comparison: string;
  threshold: number;
  severity: string;
}


export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** Only ops and admin may acknowledge or silence (server: `@Roles('ops')`, admin always). */
export function canAct(user: Pick<SessionUser, 'role'> | null): boolean {
  return user?.role === 'ops' || user?.role === 'admin';
}

/** Firing before pending; then P1, P2, P3; then the newest first. */
export function sortAlerts<T extends Pick<AlertView, 'state' | 'severity' | 'firedAt' | 'activeAt' | 'id'>>(alerts: readonly T[]): T[] {
  const rank = (s: string) => (isSeverity(s) ? SEVERITIES.indexOf(s) : 9);
  return [...alerts].sort(
    (a, b) =>
      (a.state === 'firing' ? 0 : 1) - (b.state === 'firing' ? 0 : 1) ||
      rank(a.severity) - rank(b.severity) ||
      (b.firedAt ?? b.activeAt) - (a.firedAt ?? a.activeAt) ||
      (a.id < b.id ? -1 : 1),
  );
}

/** Why notifications are held back: a silence (its id) or a down parent (its node). */
export function suppressionOf(s: string | null): { kind: 'silence' | 'behind'; ref: string } | null {
  if (!s) return null;
  const i = s.indexOf(':');
  const kind = s.slice(0, i);
  if (kind === 'silence' || kind === 'behind') return { kind, ref: s.slice(i + 1) };
  return null;
}

const COMPARISON_SIGN: Record<string, string> = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '==': '=', '!=': '≠' };

/** The unit a metric is read in, from its name (`net.latency_ms` → ms). */
export function metricUnit(metric: string): string {
  if (metric.endsWith('_ms')) return ' ms';
  if (metric.endsWith('_pct')) return '%';
  if (metric.endsWith('_s')) return ' s';
  return '';
}

/** `62.35 ms ≥ 50 ms`: the alert's last value against its rule's threshold; `—` where unknown. */
export function valueVsThreshold(a: Pick<AlertView, 'value' | 'metric'>, rule: Pick<AlertRule, 'comparison' | 'threshold'> | undefined, locale: Locale): string {
  const u = metricUnit(a.metric);
  const v = a.value === null ? '—' : `${formatNumber(a.value, locale, 2)}${u}`;
  if (!rule) return v;
  return `${v} ${COMPARISON_SIGN[rule.comparison] ?? rule.comparison} ${formatNumber(rule.threshold, locale, 2)}${u}`;
}

/** The alert's place: the zone or district name in the language, else the code. */
export function placeOf(a: Pick<AlertView, 'unit' | 'district'>, locale: Locale): string {
  const u = (a.unit && findUnit(a.unit)) || (a.district && findUnit(a.district));
  return u ? unitName(u, locale) : a.unit || a.district || '—';
}

/** When the alert started to count: fired, else became pending. */
export function sinceOf(a: Pick<AlertView, 'firedAt' | 'activeAt'>): number {
  return a.firedAt ?? a.activeAt;
}

/** Silence durations offered when silencing an alert, in hours. */
export const SILENCE_HOURS = [1, 4, 24] as const;

/**
 * The silence that holds this alert quiet: its rule on its node (the narrowest useful matcher),
 * from now for `hours`.
 */
export function silenceFor(a: Pick<AlertView, 'ruleId' | 'node' | 'district'>, hours: number, comment: string, now: number) {
  const matchers: Silence['matchers'] = { ruleId: a.ruleId };
  if (a.node) matchers.node = a.node;
  else if (a.district) matchers.district = a.district;
  return { matchers, startsAt: now, endsAt: now + hours * 3_600_000, comment: comment.trim() };
}

// ---- outage groups, hold reasons, words (issue 15: docs/ALERTS.md "Outage groups") ----

/** One row of the alert list: an alert alone, or an outage group (its lead first) that opens to its members. */
export type AlertRow<T> = { kind: 'alert'; alert: T } | { kind: 'group'; id: string; lead: T; members: T[] };

/**
 * The list's rows: alerts the server put in one outage group (`group`, more than one member) are
 * one row led by the group's lead (the root cause), its members in the list's order; the rest alone.
 * Rows keep the order of `sorted` (a group stands where its first member would).
 */
export function groupRows<T extends Pick<AlertView, 'id' | 'group'>>(sorted: readonly T[]): Array<AlertRow<T>> {
  const byGroup = new Map<string, T[]>();
  for (const a of sorted) {
    if (!a.group) continue;
    let m = byGroup.get(a.group);
    if (!m) byGroup.set(a.group, (m = []));
    m.push(a);
  }
  const rows: Array<AlertRow<T>> = [];
  const done = new Set<string>();
  for (const a of sorted) {
    const m = a.group ? byGroup.get(a.group) : undefined;
    if (!m || m.length < 2) {
      rows.push({ kind: 'alert', alert: a });
      continue;
    }
    if (done.has(a.group!)) continue;
    done.add(a.group!);
    const lead = m.find((x) => x.id === a.group) ?? m[0];
    rows.push({ kind: 'group', id: a.group!, lead, members: [lead, ...m.filter((x) => x !== lead)] });
  }
  return rows;
}

/** Why notifications are held back, with the node's name when the server sent it. */
export function heldBack(a: Pick<AlertView, 'suppressed' | 'suppressedName'>): { kind: 'silence' | 'behind' | 'down'; ref: string; name: string } | null {
  const s = a.suppressed;
  if (!s) return null;
  const i = s.indexOf(':');
  const kind = s.slice(0, i);
  if (kind !== 'silence' && kind !== 'behind' && kind !== 'down') return null;
  const ref = s.slice(i + 1);
  return { kind, ref, name: a.suppressedName ?? ref };
}

/** The built-in rules' ids → their catalogue key under `alertOps.rule` (any other rule shows its own name). */
export function ruleKey(ruleId: string): string | null {
  if (ruleId === 'default-net-up-down') return 'nodeDown';
  if (ruleId === 'default-share-up-down') return 'shareDown';
  if (ruleId === 'default-open-up-down') return 'openDown';
  if (ruleId === 'default-collector-lost') return 'collectorLost';
  if (ruleId === 'default-cardinality-limit') return 'cardinality';
  const m = /^default-([a-z]+)-([a-z_]+)-(critical|warning)$/.exec(ruleId);
  return m ? `threshold.${m[3]}` : null;
}

/** The metric of a built-in threshold rule (`default-net-latency_ms-critical` → `net.latency_ms`). */
export function ruleMetric(ruleId: string): string | null {
  const m = /^default-([a-z]+)-([a-z_]+)-(critical|warning)$/.exec(ruleId);
  return m ? `${m[1]}.${m[2]}` : null;
}

/**
 * The state changes worth a line in the feed: not a pending alert going back to inactive without
 * having fired (it was never news; it stays in the alert's own history).
 */
export function isNews(tr: Pick<TransitionView, 'kind' | 'from' | 'to'>): boolean {
  return !(tr.kind === 'state' && tr.from === 'pending' && tr.to === 'inactive');
}

/** The server's transition notes that have words in the catalogue (`alertOps.note.*`); others are shown as written. */
export function noteKey(note: string): { key: string; n?: number } | null {
  if (note === 'no data') return { key: 'noData' };
  if (note === 'rule removed, disabled or changed metric') return { key: 'ruleChanged' };
  const m = /^not acknowledged within (\d+) min$/.exec(note);
  if (m) return { key: 'notAcked', n: Number(m[1]) };
  return null;
}
