import type { DistrictData, SeriesResponse } from '@zhuyun/protocol';
import type { NodeSeries } from '../charts/latency.option';
import { RingBuffer } from './ring-buffer';

export const LATENCY_METRIC = 'net.latency_ms';

type Point = [number, number];

export interface MetricBuffersOptions {
  /** The metric held. Default net.latency_ms. */
  metric?: string;
  /**
   * Leave a gap while a node is unreachable (`net.up` 0): its latency or jitter held then is the
   * last one measured, not a current one. Default true; false for metrics that stay meaningful
   * (loss is 100 % then).
   */
  gapWhenUnreachable?: boolean;
}

/**
 * One metric's points per node of one district or zone (latency by default): history from
 * /api/v1/series first, then live values from the `district:<code>` topic. Bounded twice: points
 * per node (ring buffers) and nodes. Pure apart from its own state; the composables
 * (useLatencyFeed, useMetricFeed) own one per unit and metric.
 */
export class LatencyBuffers {
  private readonly buffers = new Map<string, RingBuffer<Point>>();
  readonly metric: string;
  private readonly gapWhenUnreachable: boolean;

  constructor(
    /** The district or zone code the buffers are for; other units' series are left out. */
    readonly unit: string,
    private readonly capacity = 1_024,
    private readonly maxNodes = 64,
    { metric = LATENCY_METRIC, gapWhenUnreachable = true }: MetricBuffersOptions = {},
  ) {
    this.metric = metric;
    this.gapWhenUnreachable = gapWhenUnreachable;
  }

  private buffer(node: string): RingBuffer<Point> | undefined {
    let b = this.buffers.get(node);
    if (!b && this.buffers.size < this.maxNodes) {
      b = new RingBuffer<Point>(this.capacity);
      this.buffers.set(node, b);
    }
    return b;
  }

  /**
   * Adds history under what is already held. A node probing several targets has one series per
   * target: the node's value at a time is the worst (highest) of them, as the live status takes it.
   * Points at or after the first live point held are dropped (the live values win). Series of
   * nodes run by another unit (a zone's nodes inside a district) are left out.
   */
  addHistory(resp: SeriesResponse): void {
    const byNode = new Map<string, Map<number, number>>();
    for (const s of resp.series) {
      if (s.metric !== this.metric && resp.metric !== this.metric) continue;
      const node = s.tags.node;
      if (!node || (s.tags.unit !== undefined && s.tags.unit !== this.unit)) continue;
      let pts = byNode.get(node);
      if (!pts) byNode.set(node, (pts = new Map()));
      for (const p of s.points) {
        const v = p[1]; // raw [ts, value] or rolled up [ts, mean, min, max, count]: the mean
        if (!Number.isFinite(v)) continue;
        const prev = pts.get(p[0]);
        pts.set(p[0], prev === undefined ? v : Math.max(prev, v));
      }
    }
    for (const [node, pts] of byNode) {
      const b = this.buffer(node);
      if (!b) continue;
      const live = b.toArray();
      const firstLive = live.length ? live[0][0] : Infinity;
      const history = [...pts].filter(([ts]) => ts < firstLive).sort((a, b2) => a[0] - b2[0]);
      b.clear();
      for (const p of history) b.push(p);
      for (const p of live) b.push(p);
    }
  }

  /**
   * Appends each node's latest value from a `district:<code>` snapshot or frame, stamped with the
   * node's lastSeen. A node whose lastSeen did not move adds nothing (frames repeat unchanged nodes),
   * nor does an unreachable one (`net.up` 0): its chart line shows a gap there.
   * Returns whether anything was added.
   */
  addLive(data: DistrictData): boolean {
    if (data.unit.code !== this.unit) return false;
    let added = false;
    for (const n of data.nodes) {
      const v = n.metrics[this.metric];
      if (v === undefined || !Number.isFinite(v) || !n.lastSeen) continue;
      // Unreachable: the latency held is the last one measured, not a current one. Leave a gap.
      if (this.gapWhenUnreachable && n.metrics['net.up'] === 0) continue;
      const b = this.buffer(n.id);
      if (!b) continue;
      const last = b.last();
      if (last && last[0] >= n.lastSeen) continue;
      b.push([n.lastSeen, v]);
      added = true;
    }
    return added;
  }

  /** Drops points older than `before` (outside the chart window) and nodes left with none. */
  trim(before: number): void {
    for (const [node, b] of this.buffers) {
      b.dropWhile((p) => p[0] < before);
      if (b.length === 0) this.buffers.delete(node);
    }
  }

  /** The series as the chart takes them (copies). */
  series(): NodeSeries[] {
    return [...this.buffers].map(([node, b]) => ({ node, points: b.toArray() }));
  }
}

/** The same buffers for any metric (the name the district view's charts use). */
export { LatencyBuffers as MetricBuffers };
