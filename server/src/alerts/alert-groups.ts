import { UP_METRICS } from '@zhuyun/protocol';
import type { AlertHold } from '@zhuyun/protocol';
import { compare, type AlertRule } from './alert-rules.js';
import type { AlertInstance } from './alert.machine.js';

/**
 * Outage groups and hold reasons (docs/ALERTS.md "Outage groups", "Why a firing alert still
 * fires"). Pure: computed from the open alerts as they are served, never stored, so a group is
 * what the open alerts say now (no migration, nothing to repair after a restart).
 */

/** Alerts of one unit that begin within this long of each other belong to one outage. */
export const GROUP_WINDOW_MS = 5 * 60_000;

const UP = new Set<string>(UP_METRICS);
const SEV: Record<string, number> = { P1: 0, P2: 1, P3: 2 };

export type Groupable = Pick<AlertInstance, 'id' | 'tags' | 'activeAt' | 'severity' | 'metric' | 'suppressed'>;

/** Whether the alert says its node is unreachable (node or platform down). */
export function isDownAlert(a: Pick<AlertInstance, 'metric'>): boolean {
  return UP.has(a.metric);
}

/**
 * The outage group of each open alert: alert id → the group's lead alert id. Two alerts are in one
 * group when they are of the same unit and began within GROUP_WINDOW_MS of each other (chained),
 * or one is held back behind (or by) the other's node (a subtree, across units: the city core).
 * The lead is the root cause: not held back, a down alert, the most severe, the earliest.
 */
export function groupAlerts(alerts: readonly Groupable[], windowMs = GROUP_WINDOW_MS): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (c !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const a of alerts) parent.set(a.id, a.id);
  const byUnit = new Map<string, Groupable[]>();
  const byNode = new Map<string, Groupable[]>();
  for (const a of alerts) {
    const unit = a.tags.unit ?? a.tags.district ?? '';
    let u = byUnit.get(unit);
    if (!u) byUnit.set(unit, (u = []));
    u.push(a);
    let n = byNode.get(a.tags.node);
    if (!n) byNode.set(a.tags.node, (n = []));
    n.push(a);
  }
  for (const list of byUnit.values()) {
    list.sort((x, y) => x.activeAt - y.activeAt);
    for (let i = 1; i < list.length; i++) if (list[i].activeAt - list[i - 1].activeAt <= windowMs) union(list[i].id, list[i - 1].id);
  }
  for (const a of alerts) {
    const ref = causeNode(a.suppressed);
    if (ref === null) continue;
    for (const b of byNode.get(ref) ?? []) union(a.id, b.id);
  }
  const members = new Map<string, Groupable[]>();
  for (const a of alerts) {
    const r = find(a.id);
    let m = members.get(r);
    if (!m) members.set(r, (m = []));
    m.push(a);
  }
  const out = new Map<string, string>();
  for (const m of members.values()) {
    const lead = [...m].sort(leadFirst)[0];
    for (const a of m) out.set(a.id, lead.id);
  }
  return out;
}

function leadFirst(x: Groupable, y: Groupable): number {
  return (
    (x.suppressed ? 1 : 0) - (y.suppressed ? 1 : 0) ||
    (isDownAlert(x) ? 0 : 1) - (isDownAlert(y) ? 0 : 1) ||
    (SEV[x.severity] ?? 9) - (SEV[y.severity] ?? 9) ||
    x.activeAt - y.activeAt ||
    (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)
  );
}

/** The node a suppression points at (`behind:<node>`, `down:<node>`), or null. */
export function causeNode(s: string | null): string | null {
  if (!s) return null;
  if (s.startsWith('behind:')) return s.slice(7);
  if (s.startsWith('down:')) return s.slice(5);
  return null;
}

/**
 * Why a firing alert whose latest value no longer breaches its threshold still fires: within the
 * rule's resolve threshold (hysteresis), or recovered but inside the keep-firing time. Null while
 * the value breaches (the value says why) or when the alert is not firing.
 */
export function holdOf(a: Pick<AlertInstance, 'state' | 'value' | 'lastBreachAt'>, rule: Pick<AlertRule, 'comparison' | 'threshold' | 'resolveThreshold' | 'keepFiringMs'> | undefined): AlertHold | null {
  if (a.state !== 'firing' || !rule || !Number.isFinite(a.value)) return null;
  if (compare(a.value, rule.comparison, rule.threshold)) return null;
  if (rule.resolveThreshold !== null && compare(a.value, rule.comparison, rule.resolveThreshold)) {
    return { code: 'hysteresis', resolveThreshold: rule.resolveThreshold, comparison: rule.comparison };
  }
  return { code: 'keepFiring', keepFiringS: Math.round(rule.keepFiringMs / 1000), until: a.lastBreachAt + rule.keepFiringMs };
}
