import { describe, expect, it } from '@jest/globals';
import type { DistrictData, NodeState, SeriesResponse } from '@zhuyun/protocol';
import { LatencyBuffers } from './latency-buffers';

function node(id: string, lastSeen: number, latency?: number): NodeState {
  return {
    id,
    district: '520113',
    unit: '520113',
    status: 'up',
    reasons: [],
    lastSeen,
    metrics: latency === undefined ? {} : { 'net.latency_ms': latency },
  };
}

function district(nodes: NodeState[], code = '520113'): DistrictData {
  return { unit: { code, status: 'up', counts: { up: nodes.length, degraded: 0, down: 0, unknown: 0 }, latencyMs: 1, lossPct: 0 }, nodes, total: nodes.length, truncated: false };
}

function history(): SeriesResponse {
  return {
    metric: 'net.latency_ms',
    from: 0,
    to: 1000,
    step: 'raw',
    series: [
      { metric: 'net.latency_ms', tags: { district: '520113', unit: '520113', node: 'by-1', target: 'a' }, points: [[100, 5], [200, 6], [300, 7]] },
      { metric: 'net.latency_ms', tags: { district: '520113', unit: '520113', node: 'by-1', target: 'b' }, points: [[200, 9]] },
      // A hi-tech zone node standing in Baiyun: the zone's, not Baiyun's.
      { metric: 'net.latency_ms', tags: { district: '520113', unit: 'gy-hitech', node: 'hz-1' }, points: [[100, 1]] },
    ],
  };
}

describe('LatencyBuffers', () => {
  it('takes history per node, the worst target at each time, and leaves other units out', () => {
    const b = new LatencyBuffers('520113');
    b.addHistory(history());
    expect(b.series()).toEqual([{ node: 'by-1', points: [[100, 5], [200, 9], [300, 7]] }]);
  });

  it('appends live values once per lastSeen and ignores another unit', () => {
    const b = new LatencyBuffers('520113');
    expect(b.addLive(district([node('by-1', 400, 8), node('by-2', 400)]))).toBe(true);
    expect(b.addLive(district([node('by-1', 400, 8)]))).toBe(false);
    expect(b.addLive(district([node('by-1', 500, 9)]))).toBe(true);
    expect(b.addLive(district([node('x', 600, 1)], '520102'))).toBe(false);
    expect(b.series()).toEqual([{ node: 'by-1', points: [[400, 8], [500, 9]] }]);
  });

  it('adds nothing for an unreachable node (its latency is the last one measured)', () => {
    const b = new LatencyBuffers('520113');
    const down = node('by-1', 700, 8);
    down.metrics['net.up'] = 0;
    expect(b.addLive(district([down]))).toBe(false);
    expect(b.series()).toEqual([]);
  });

  it('puts history that arrives after live points under them, live winning where they overlap', () => {
    const b = new LatencyBuffers('520113');
    b.addLive(district([node('by-1', 250, 20)]));
    b.addHistory(history());
    expect(b.series()).toEqual([{ node: 'by-1', points: [[100, 5], [200, 9], [250, 20]] }]);
  });

  it('stays bounded in points and nodes, and trims to the window', () => {
    const b = new LatencyBuffers('520113', 5, 2);
    for (let t = 1; t <= 20; t++) b.addLive(district([node('a', t, t), node('b', t, t), node('c', t, t)]));
    const s = b.series();
    expect(s.map((x) => x.node)).toEqual(['a', 'b']);
    expect(s[0].points.map((p) => p[0])).toEqual([16, 17, 18, 19, 20]);
    b.trim(19);
    expect(b.series()[0].points.map((p) => p[0])).toEqual([19, 20]);
    b.trim(100);
    expect(b.series()).toEqual([]);
  });

  it('holds another metric, and keeps it while a node is unreachable when told to', () => {
    const loss = new LatencyBuffers('520113', 100, 10, { metric: 'net.loss_pct', gapWhenUnreachable: false });
    const down = node('by-1', 700);
    down.metrics = { 'net.up': 0, 'net.loss_pct': 100, 'net.latency_ms': 9 };
    expect(loss.addLive(district([down]))).toBe(true);
    expect(loss.series()).toEqual([{ node: 'by-1', points: [[700, 100]] }]);
    loss.addHistory({ ...history(), metric: 'net.loss_pct', series: history().series.map((s) => ({ ...s, metric: 'net.loss_pct' })) });
    expect(loss.series()[0].points[0]).toEqual([100, 5]);
    // The latency history is not loss: a response of another metric adds nothing.
    const other = new LatencyBuffers('520113', 100, 10, { metric: 'net.jitter_ms' });
    other.addHistory(history());
    expect(other.series()).toEqual([]);
  });
});
