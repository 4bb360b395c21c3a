import { STEP_MS, monthOf, monthRange, type AlertWithRule, type SeriesResponse } from '@zhuyun/protocol';
import type { NodeSeries } from '../charts/latency.option';

/**
 * The node page's pure parts (docs/DASHBOARD.md "A page per node"): its URL, the chart ranges, the
 * series as chart lines, the node's up-minutes this month from its `net.up` series, and its alerts
 * split into open and recent.
 */

/** The page of a node: every place that names a node links here. */
export function nodeHref(id: string): string {
  return `/node/${encodeURIComponent(id)}`;
}

/**
 * How a view names a node: the registry name first and the id second (muted); the id alone when
 * there is no name (or the name is the id). Alerts and status changes carry `name` (docs/ALERTS.md).
 */
export function nodeNaming(id: string, name?: string | null): { first: string; second: string | null } {
  const n = name?.trim();
  return n && n !== id ? { first: n, second: id } : { first: id, second: null };
}

/** The chart ranges the page offers; each reads at the step `pickStep` allows (raw, 1m, 1h). */
export const NODE_RANGES = [
  { key: '1h', ms: 3_600_000 },
  { key: '6h', ms: 6 * 3_600_000 },
  { key: '24h', ms: 24 * 3_600_000 },
  { key: '7d', ms: 7 * 24 * 3_600_000 },
  { key: '30d', ms: 30 * 24 * 3_600_000 },
] as const;
export type NodeRangeKey = (typeof NODE_RANGES)[number]['key'];
export const DEFAULT_RANGE: NodeRangeKey = '1h';

/** The range a URL query names (`?range=24h`), else the default. */
export function rangeOf(q: unknown): (typeof NODE_RANGES)[number] {
  return NODE_RANGES.find((r) => r.key === q) ?? NODE_RANGES.find((r) => r.key === DEFAULT_RANGE)!;
}

/** Tags that tell one series of a node from another (a node probing several targets, an interface). */
const DISTINGUISHING = ['target', 'ifName', 'if', 'direction', 'vantage'];

/**
 * A node's series of one metric as chart lines: [ts, value] (a rollup bucket's mean). One series is
 * called `label`; several are told apart by the tag that differs (`label · 8.8.8.8`).
 */
export function seriesLines(resp: SeriesResponse | null, label: string): NodeSeries[] {
  if (!resp) return [];
  const many = resp.series.length > 1;
  return resp.series.map((s, i) => {
    const tag = DISTINGUISHING.map((k) => s.tags[k]).find((v) => v !== undefined);
    return {
      node: many ? `${label} · ${tag ?? i + 1}` : label,
      points: s.points.map((p) => [p[0], p[1]] as const),
    };
  });
}

export interface UpMinutes {
  /** Minutes the node was up (its `net.up` mean × the bucket's minutes, summed). */
  up: number;
  /** Minutes with a measurement (buckets with points), to now. */
  measured: number;
  /** Minutes of the month so far. */
  elapsed: number;
  /** up / measured in %, null with nothing measured. */
  pct: number | null;
  month: string;
}

/** Start of the Beijing month holding `now` and the month itself (`2026-12`). */
export function monthSoFar(now: number): { month: string; from: number; to: number } {
  const month = monthOf(now);
  return { month, from: monthRange(month).from, to: now };
}

/**
 * The node's own up-minutes this month, from its `net.up` rollups (`1m` or `1h` buckets, the mean
 * of 1 and 0 samples): each bucket counts mean × its minutes (the current one only up to now).
 * Several series (several probe targets) count a bucket by the worst of them, as the district's
 * charts do. Raw points (a range short enough for no rollup) count the minute they fall in.
 * Not the SLA engine's score (docs/SLA.md: that is per service, and its per-node facts live 74 h).
 */
export function upMinutes(resp: SeriesResponse | null, now: number): UpMinutes {
  const { month, from } = monthSoFar(now);
  const elapsed = Math.max(0, (now - from) / 60_000);
  const empty = { up: 0, measured: 0, elapsed, pct: null, month };
  if (!resp) return empty;
  const bucketMs = resp.step === 'raw' ? 60_000 : STEP_MS[resp.step];
  // Bucket start → worst mean over the node's series.
  const worst = new Map<number, number>();
  for (const s of resp.series) {
    for (const p of s.points) {
      const start = resp.step === 'raw' ? Math.floor(p[0] / 60_000) * 60_000 : p[0];
      if (start < from || start > now) continue;
      const v = Math.min(1, Math.max(0, p[1]));
      const was = worst.get(start);
      worst.set(start, was === undefined ? v : Math.min(was, v));
    }
  }
  let up = 0;
  let measured = 0;
  for (const [start, mean] of worst) {
    const minutes = Math.max(0, Math.min(bucketMs, now - start)) / 60_000;
    up += mean * minutes;
    measured += minutes;
  }
  return { up, measured, elapsed, pct: measured > 0 ? (up / measured) * 100 : null, month };
}

/** Open alerts (pending, firing) worst first then newest; the others (resolved) newest first. */
export function splitAlerts(alerts: readonly AlertWithRule[]): { open: AlertWithRule[]; recent: AlertWithRule[] } {
  const isOpen = (a: AlertWithRule) => a.state === 'pending' || a.state === 'firing';
  const open = alerts.filter(isOpen).sort((a, b) => a.severity.localeCompare(b.severity) || b.activeAt - a.activeAt);
  const recent = alerts.filter((a) => !isOpen(a)).sort((a, b) => (b.resolvedAt ?? b.updatedAt) - (a.resolvedAt ?? a.updatedAt));
  return { open, recent };
}
