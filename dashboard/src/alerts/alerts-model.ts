import { findUnit, type AlertWithRule, type Silence } from '@zhuyun/protocol';
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
