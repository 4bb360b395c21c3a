import type { DistrictData, SeriesResponse } from '@zhuyun/protocol';
import type { NodeSeries } from '../charts/latency.option';
import { RingBuffer } from '../live/ring-buffer';

/**
 * A district's metric as a distribution over its nodes: per time, the median, the 95th percentile
 * and the worst. Computed here, in the browser, from what the page already receives: the history
 * query returns every node's minute buckets (60 a node for the hour), and every `district:<code>`
 * frame carries every node's latest value (up to MAX_DISTRICT_FRAME_NODES). A frame's three figures
 * cost one sort of at most 500 numbers a second; the server needs no new query. (At many thousand
 * nodes per unit the history response would be the cost to move: a server-side `aggregate` on the
 * series query. The real city's largest unit has 255.)
 */

/** [ts, median, p95, max] */
export type DistPoint = [number, number, number, number];

/** The q-quantile (0..1) of ascending `sorted` values, linear between ranks (R type 7); NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median, p95 and worst (highest) of the values; null when none is finite. */
export function summarize(values: Iterable<number>): { median: number; p95: number; max: number } | null {
  const v = [...values].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return { median: quantile(v, 0.5), p95: quantile(v, 0.95), max: v[v.length - 1] };
}

/**
 * The distribution per time bucket of a series response: a node probing several targets counts once,
 * with the worst of its series (as the live status takes it); other units' nodes are left out.
 */
export function distributionOfHistory(resp: SeriesResponse, metric: string, unit: string): DistPoint[] {
  const byTs = new Map<number, Map<string, number>>();
  for (const s of resp.series) {
    if (s.metric !== metric && resp.metric !== metric) continue;
    const node = s.tags.node;
    if (!node || (s.tags.unit !== undefined && s.tags.unit !== unit)) continue;
    for (const p of s.points) {
      const v = p[1];
      if (!Number.isFinite(v)) continue;
      let at = byTs.get(p[0]);
      if (!at) byTs.set(p[0], (at = new Map()));
      const prev = at.get(node);
      at.set(node, prev === undefined ? v : Math.max(prev, v));
    }
  }
  const out: DistPoint[] = [];
  for (const [ts, nodes] of [...byTs].sort((a, b) => a[0] - b[0])) {
    const d = summarize(nodes.values());
    if (d) out.push([ts, d.median, d.p95, d.max]);
  }
  return out;
}

/**
 * The distribution of one frame: every node's latest value (an unreachable node's latency and
 * jitter are the last ones measured, not current: left out when `gapWhenUnreachable`; a node not
 * yet reporting is left out). Stamped with the newest lastSeen. Null when no node reports the metric.
 */
export function distributionOfFrame(data: DistrictData, metric: string, gapWhenUnreachable = true): DistPoint | null {
  let ts = 0;
  const values: number[] = [];
  for (const n of data.nodes) {
    const v = n.metrics[metric];
    if (v === undefined || !Number.isFinite(v) || !n.lastSeen || n.status === 'unknown') continue;
    if (gapWhenUnreachable && n.metrics['net.up'] === 0) continue;
    values.push(v);
    ts = Math.max(ts, n.lastSeen);
  }
  const d = summarize(values);
  return d ? [ts, d.median, d.p95, d.max] : null;
}

/** The three lines a chart draws for a distribution, labelled (localized by the caller). */
export function distributionLines(points: readonly DistPoint[], labels: { median: string; p95: string; max: string }): NodeSeries[] {
  return [
    { node: labels.median, points: points.map((p) => [p[0], p[1]] as const), rank: 0, width: 2.5 },
    { node: labels.p95, points: points.map((p) => [p[0], p[2]] as const), rank: 1, width: 2, dashed: true },
    { node: labels.max, points: points.map((p) => [p[0], p[3]] as const), rank: 2, width: 1.5, dashed: true },
  ];
}

/** The `k` nodes whose newest value is the highest (ties: by id), from per-node series. */
export function worstNodes(series: readonly NodeSeries[], k = 3): string[] {
  return series
    .filter((s) => s.points.length > 0 && Number.isFinite(s.points[s.points.length - 1][1]))
    .map((s) => ({ node: s.node, v: s.points[s.points.length - 1][1] }))
    .sort((a, b) => b.v - a.v || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .slice(0, k)
    .map((x) => x.node);
}

/** One metric's distribution over an hour: history first, then one point per frame; bounded. */
export class DistributionBuffer {
  private readonly points: RingBuffer<DistPoint>;

  constructor(
    readonly unit: string,
    readonly metric: string,
    capacity: number,
    private readonly gapWhenUnreachable = true,
  ) {
    this.points = new RingBuffer<DistPoint>(capacity);
  }

  /** History goes under the live points already held (those win from their first timestamp on). */
  addHistory(resp: SeriesResponse): void {
    const live = this.points.toArray();
    const firstLive = live.length ? live[0][0] : Infinity;
    this.points.clear();
    for (const p of distributionOfHistory(resp, this.metric, this.unit)) if (p[0] < firstLive) this.points.push(p);
    for (const p of live) this.points.push(p);
  }

  addLive(data: DistrictData): boolean {
    if (data.unit.code !== this.unit) return false;
    const p = distributionOfFrame(data, this.metric, this.gapWhenUnreachable);
    const last = this.points.last();
    if (!p || (last && last[0] >= p[0])) return false;
    this.points.push(p);
    return true;
  }

  trim(before: number): void {
    this.points.dropWhile((p) => p[0] < before);
  }

  toArray(): DistPoint[] {
    return this.points.toArray();
  }
}
