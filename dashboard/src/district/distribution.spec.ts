import { describe, expect, it } from '@jest/globals';
import type { DistrictData, NodeState, SeriesResponse } from '@zhuyun/protocol';
import { DistributionBuffer, distributionLines, distributionOfFrame, distributionOfHistory, quantile, summarize, worstNodes } from './distribution';

const node = (id: string, latency: number | undefined, extra: Partial<NodeState> = {}): NodeState => ({
  id, district: '520181', unit: '520181', status: 'up', reasons: [], lastSeen: 1_000, metrics: latency === undefined ? {} : { 'net.latency_ms': latency }, ...extra,
});
const frame = (nodes: NodeState[]): DistrictData => ({
  unit: { code: '520181', status: 'up', counts: { up: nodes.length, degraded: 0, down: 0, unknown: 0 }, latencyMs: null, lossPct: null },
  nodes, total: nodes.length, truncated: false,
});

describe('district distribution', () => {
  it('quantiles interpolate between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.95)).toBe(5);
    expect(quantile(Array.from({ length: 101 }, (_, i) => i), 0.95)).toBe(95);
    expect(quantile([], 0.5)).toBeNaN();
    expect(summarize([3, NaN, 1, 2])).toEqual({ median: 2, p95: 2.9, max: 3 });
    expect(summarize([])).toBeNull();
  });

  it('a frame: every reporting node once; unreachable and unknown nodes left out of latency', () => {
    const values = Array.from({ length: 20 }, (_, i) => node(`v${i}`, i + 1, { lastSeen: 1_000 + i }));
    const d = distributionOfFrame(frame([...values, node('down', 999, { metrics: { 'net.latency_ms': 999, 'net.up': 0 } }), node('new', 500, { status: 'unknown' })]), 'net.latency_ms');
    expect(d).toEqual([1_019, 10.5, 19.05, 20]);
    expect(distributionOfFrame(frame([node('a', undefined)]), 'net.latency_ms')).toBeNull();
  });

  it('history: per bucket, a node with several targets counts with its worst; other units left out', () => {
    const resp = {
      metric: 'net.latency_ms', step: '1m',
      series: [
        { metric: 'net.latency_ms', tags: { node: 'a', unit: '520181', target: 'x' }, points: [[60_000, 1], [120_000, 2]] },
        { metric: 'net.latency_ms', tags: { node: 'a', unit: '520181', target: 'y' }, points: [[60_000, 9]] },
        { metric: 'net.latency_ms', tags: { node: 'b', unit: '520181' }, points: [[60_000, 3], [120_000, 4]] },
        { metric: 'net.latency_ms', tags: { node: 'z', unit: '520102' }, points: [[60_000, 1_000]] },
      ],
    } as unknown as SeriesResponse;
    expect(distributionOfHistory(resp, 'net.latency_ms', '520181')).toEqual([
      [60_000, 6, 8.7, 9],
      [120_000, 3, 3.9, 4],
    ]);
  });

  it('a buffer: history under live points, one point per new frame, bounded', () => {
    const b = new DistributionBuffer('520181', 'net.latency_ms', 3);
    expect(b.addLive(frame([node('a', 5, { lastSeen: 200_000 })]))).toBe(true);
    expect(b.addLive(frame([node('a', 5, { lastSeen: 200_000 })]))).toBe(false); // nothing newer
    b.addHistory({ metric: 'net.latency_ms', step: '1m', series: [{ metric: 'net.latency_ms', tags: { node: 'a', unit: '520181' }, points: [[60_000, 1], [240_000, 7]] }] } as unknown as SeriesResponse);
    expect(b.toArray().map((p) => p[0])).toEqual([60_000, 200_000]);
    b.addLive(frame([node('a', 6, { lastSeen: 300_000 })]));
    b.addLive(frame([node('a', 6, { lastSeen: 400_000 })]));
    expect(b.toArray().map((p) => p[0])).toEqual([200_000, 300_000, 400_000]);
    b.trim(350_000);
    expect(b.toArray().map((p) => p[0])).toEqual([400_000]);
  });

  it('three labelled lines and the worst nodes by their newest value', () => {
    const lines = distributionLines([[1, 2, 3, 4]], { median: 'median', p95: 'p95', max: 'worst' });
    expect(lines.map((l) => [l.node, l.points[0][1]])).toEqual([['median', 2], ['p95', 3], ['worst', 4]]);
    const series = [
      { node: 'a', points: [[1, 100], [2, 1]] as const },
      { node: 'b', points: [[1, 5]] as const },
      { node: 'c', points: [[1, 7]] as const },
      { node: 'd', points: [[1, 7]] as const },
      { node: 'e', points: [] },
    ];
    expect(worstNodes(series, 3)).toEqual(['c', 'd', 'b']);
  });
});
