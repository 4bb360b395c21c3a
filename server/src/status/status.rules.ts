import {
  DEFAULT_THRESHOLDS,
  STATUS_SEVERITY,
  UP_METRICS,
  emptyCounts,
  statusRecovery,
  unitLevelOf,
  type StatusCause,
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
  /** The same causes as codes and parameters, one per reason (protocol status-causes.ts). */
  causes: StatusCause[];
  /** The thresholds crossed (entered, or held by hysteresis) now: pass it back in next time. */
  held: Record<string, 'warning' | 'critical'>;
}

/** Metric → the threshold level it crossed at the previous evaluation (what hysteresis holds). */
export type HeldThresholds = Readonly<Record<string, 'warning' | 'critical'>>;

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 3 : 1);
}

/**
 * A node's status from its latest values. `unknown` when no data for three intervals (never green);
 * `down` when an up-metric is 0 or a critical threshold is crossed; `degraded` on a warning
 * threshold; else `up`.
 *
 * Hysteresis (issue 15 item 5): a threshold is crossed when the value reaches it, and stays crossed
 * (`held`, given back by the caller from the previous evaluation) until the value is past its
 * recovery level (statusRecovery: 70 % enters degraded, below 63 % leaves it), so a value wavering
 * around a threshold does not flip the status at every point. Entering is immediate.
 */
export function evaluateNode(
  latest: Readonly<Record<string, number>>,
  lastSeen: number,
  intervalMs: number,
  now: number,
  thresholds: readonly Threshold[] = DEFAULT_THRESHOLDS,
  held: HeldThresholds = {},
): NodeEvaluation {
  const interval = Math.max(intervalMs, MIN_INTERVAL_MS);
  if (now - lastSeen > STALE_INTERVALS * interval) {
    const s = Math.round((now - lastSeen) / 1000);
    // Unknown drops what was held: the next data is judged afresh.
    return { status: 'unknown', reasons: [`no data for ${s} s`], causes: [{ code: 'no-data', params: { s } }], held: {} };
  }
  type Line = { reason: string; cause: StatusCause };
  const down: Line[] = [];
  const degraded: Line[] = [];
  const nextHeld: Record<string, 'warning' | 'critical'> = {};
  for (const m of UP_METRICS) {
    if (latest[m] === 0) down.push({ reason: `${m} = 0`, cause: { code: 'up-zero', params: { metric: m } } });
  }
  for (const t of thresholds) {
    const v = latest[t.metric];
    if (v === undefined) continue;
    const worse = (limit: number) => (t.direction === 'above' ? v >= limit : v <= limit);
    const op = t.direction === 'above' ? '≥' : '≤';
    const was = held[t.metric];
    const line = (level: 'warning' | 'critical'): Line => {
      const limit = t[level];
      if (worse(limit)) return { reason: `${t.metric} ${fmt(v)} ${op} ${fmt(limit)}`, cause: { code: 'threshold', params: { metric: t.metric, value: v, op, limit, level } } };
      const recover = statusRecovery(t, level);
      return {
        reason: `${t.metric} ${fmt(v)}, was ${op} ${fmt(limit)}: held until ${t.direction === 'above' ? 'below' : 'above'} ${fmt(recover)}`,
        cause: { code: 'threshold-held', params: { metric: t.metric, value: v, op, limit, level, recover } },
      };
    };
    if (worse(t.critical) || (was === 'critical' && worse(statusRecovery(t, 'critical')))) {
      down.push(line('critical'));
      nextHeld[t.metric] = 'critical';
    } else if (worse(t.warning) || (was !== undefined && worse(statusRecovery(t, 'warning')))) {
      degraded.push(line('warning'));
      nextHeld[t.metric] = 'warning';
    }
  }
  const out = (status: NodeStatus, lines: Line[]): NodeEvaluation => ({ status, reasons: lines.map((l) => l.reason), causes: lines.map((l) => l.cause), held: nextHeld });
  if (down.length) return out('down', [...down, ...degraded]);
  if (degraded.length) return out('degraded', degraded);
  return out('up', []);
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
