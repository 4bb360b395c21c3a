import {
  DEFAULT_THRESHOLDS,
  STATUS_SEVERITY,
  UP_METRICS,
  emptyCounts,
  unitLevelOf,
  type NodeStatus,
  type StatusCounts,
  type Threshold,
  type UnitLevel,
} from '@zhuyun/protocol';

/**
 * Pure status rules (DESIGN "State and meaning"). No clock, no I/O: everything comes in as
 * arguments, so they carry the unit tests.
 */

/** An interval is assumed until a node has reported twice. */
export const DEFAULT_INTERVAL_MS = 10_000;
/** A node is stale after this many collection intervals without data. */
export const STALE_INTERVALS = 3;
/** Intervals are never taken as shorter than this, so timer jitter on a busy host does not flap a 1 s collector to unknown. */
export const MIN_INTERVAL_MS = 2_000;

export interface NodeEvaluation {
  status: NodeStatus;
  reasons: string[];
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 3 : 1);
}

/**
 * A node's status from its latest values. `unknown` when no data for three intervals (never green);
 * `down` when an up-metric is 0 or a critical threshold is crossed; `degraded` on a warning
 * threshold; else `up`.
 */
export function evaluateNode(
  latest: Readonly<Record<string, number>>,
  lastSeen: number,
  intervalMs: number,
  now: number,
  thresholds: readonly Threshold[] = DEFAULT_THRESHOLDS,
): NodeEvaluation {
  const interval = Math.max(intervalMs, MIN_INTERVAL_MS);
  if (now - lastSeen > STALE_INTERVALS * interval) {
    return { status: 'unknown', reasons: [`no data for ${Math.round((now - lastSeen) / 1000)} s`] };
  }
  const down: string[] = [];
  const degraded: string[] = [];
  for (const m of UP_METRICS) {
    if (latest[m] === 0) down.push(`${m} = 0`);
  }
  for (const t of thresholds) {
    const v = latest[t.metric];
    if (v === undefined) continue;
    const worse = (limit: number) => (t.direction === 'above' ? v >= limit : v <= limit);
    const op = t.direction === 'above' ? '≥' : '≤';
    if (worse(t.critical)) down.push(`${t.metric} ${fmt(v)} ${op} ${fmt(t.critical)}`);
    else if (worse(t.warning)) degraded.push(`${t.metric} ${fmt(v)} ${op} ${fmt(t.warning)}`);
  }
  if (down.length) return { status: 'down', reasons: [...down, ...degraded] };
  if (degraded.length) return { status: 'degraded', reasons: degraded };
  return { status: 'up', reasons: [] };
}

/** The worst status of a set (down > degraded > unknown > up); `unknown` for an empty set. */
export function worstOf(statuses: Iterable<NodeStatus>): NodeStatus {
  let worst: NodeStatus | undefined;
  for (const s of statuses) if (worst === undefined || STATUS_SEVERITY[s] > STATUS_SEVERITY[worst]) worst = s;
  return worst ?? 'unknown';
}

export function countStatuses(statuses: Iterable<NodeStatus>): StatusCounts {
  const c = emptyCounts();
  for (const s of statuses) c[s]++;
  return c;
}

/**
 * Counts per unit level (unitLevelOf of each node's `level` tag); a level without nodes is left
 * out, and so is a node without a known level.
 */
export function countByLevel(nodes: Iterable<{ level?: string; status: NodeStatus }>): Partial<Record<UnitLevel, StatusCounts>> {
  const out: Partial<Record<UnitLevel, StatusCounts>> = {};
  for (const n of nodes) {
    const l = unitLevelOf(n.level);
    if (l) (out[l] ??= emptyCounts())[n.status]++;
  }
  return out;
}

/** Median of the values; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A node's collection interval, smoothed: the gap between its successive timestamps, as an
 * exponentially weighted mean so one late tick does not halve or double it.
 */
export function nextInterval(previous: number | undefined, gapMs: number): number {
  if (gapMs <= 0) return previous ?? DEFAULT_INTERVAL_MS;
  return previous === undefined ? gapMs : previous * 0.7 + gapMs * 0.3;
}

/** Per-second rate of a counter between two readings; undefined across a reset or no time. */
export function counterRate(prev: { ts: number; value: number } | undefined, cur: { ts: number; value: number }): number | undefined {
  if (!prev || cur.ts <= prev.ts || cur.value < prev.value) return undefined;
  return (cur.value - prev.value) / ((cur.ts - prev.ts) / 1000);
}
