import { describe, expect, it } from '@jest/globals';
import type { Point } from '@zhuyun/protocol';
import { LiveState } from '../status/live-state.js';
import { rejectionReason } from '../ops/rejection-reason.js';
import { CARDINALITY_ALERT_WINDOW_MS, CardinalityGuard, type CardinalityLimits } from './cardinality.guard.js';

const T0 = Date.UTC(2026, 11, 1, 8, 0);
const LIMITS: CardinalityLimits = { maxNodesPerUnit: 5, maxNodesPerCollector: 8, maxNewSeriesPerMinute: 20, forgetAfterMs: 3_600_000 };

const pt = (node: string, unit = '520103', metric = 'net.latency_ms', target?: string): Point => ({
  metric,
  ts: T0,
  value: 1,
  tags: { district: '520103', unit, node, ...(target ? { target } : {}) },
});

/** The guard over a real LiveState, as the server wires it: what is admitted is applied. */
function setup(limits: CardinalityLimits = LIMITS) {
  const state = new LiveState();
  const guard = new CardinalityGuard(limits, state);
  /** One batch: admits, applies the admitted ones, returns the errors by position. */
  const batch = (collector: string, points: Point[], now = T0) => {
    const gate = guard.open(collector, now);
    const errors = points.map((p) => gate.admit(p));
    state.apply(points.filter((_, i) => errors[i] === undefined), now, collector);
    gate.close();
    return { errors, refused: gate.refused };
  };
  return { state, guard, batch };
}

describe('CardinalityGuard', () => {
  it('refuses new nodes past the per-unit limit, with a reason naming the unit, the limit and the node', () => {
    const { batch, state } = setup();
    const { errors, refused } = batch('c1', Array.from({ length: 7 }, (_, i) => pt(`n${i}`)));
    expect(errors.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(errors[5]).toMatch(/^cardinality limit: unit 520103 already has 5 nodes.*ZHUYUN_MAX_NODES_PER_UNIT=5.*new node "n5" refused/);
    expect(rejectionReason(errors[6]!)).toBe('cardinality');
    expect(refused).toEqual({ unit_nodes: 2, collector_nodes: 0, new_series_rate: 0 });
    expect(state.nodesInUnit('520103')).toBe(5);
  });

  it('never refuses a point of a known node, whoever floods the unit', () => {
    const { batch } = setup();
    batch('honest', [pt('core-1'), pt('core-2')]);
    batch('flood', Array.from({ length: 50 }, (_, i) => pt(`fake-${i}`)));
    const { errors } = batch('honest', [pt('core-1'), pt('core-2')]);
    expect(errors).toEqual([undefined, undefined]);
    // A new honest node finds the unit full, though: that is what the alert is for.
    expect(batch('honest', [pt('core-3')]).errors[0]).toMatch(/unit 520103 already has 5 nodes/);
  });

  it('refuses new nodes past the per-collector limit across units', () => {
    const { batch } = setup();
    const points = [...Array.from({ length: 5 }, (_, i) => pt(`a${i}`, '520103')), ...Array.from({ length: 5 }, (_, i) => pt(`b${i}`, '520102'))];
    const { errors, refused } = batch('c1', points);
    expect(errors.filter((e) => e === undefined)).toHaveLength(8);
    expect(errors[9]).toMatch(/^cardinality limit: collector c1 already reports 8 nodes.*ZHUYUN_MAX_NODES_PER_COLLECTOR=8.*"b4"/);
    expect(refused.collector_nodes).toBe(2);
    // Another collector is not limited by c1's nodes (only by the units').
    expect(batch('c2', [pt('x0', '520111')]).errors).toEqual([undefined]);
  });

  it('counts a batch still being stored, so two concurrent batches cannot overshoot the limit', () => {
    const { guard, state } = setup();
    const a = guard.open('c1', T0);
    const b = guard.open('c2', T0);
    const ea = [0, 1, 2].map((i) => a.admit(pt(`a${i}`)));
    const eb = [0, 1, 2].map((i) => b.admit(pt(`b${i}`)));
    expect([...ea, ...eb].filter((e) => e === undefined)).toHaveLength(5);
    // The same new node in both batches counts once.
    const c = guard.open('c3', T0);
    expect(c.admit(pt('a0'))).toBeUndefined();
    state.apply([pt('a0'), pt('a1'), pt('a2')], T0, 'c1');
    a.close();
    b.close();
    c.close();
    expect(guard.open('c1', T0).admit(pt('late'))).toBeUndefined(); // b's 3rd was refused, a write that failed frees its room
  });

  it('limits new series per collector per minute, refills at that rate, and lets known series through', () => {
    const { batch } = setup({ ...LIMITS, maxNewSeriesPerMinute: 10 });
    const first = batch('c1', Array.from({ length: 15 }, (_, i) => pt('n0', '520103', 'net.latency_ms', `t${i}`)));
    expect(first.errors.filter((e) => e === undefined)).toHaveLength(10);
    expect(first.errors[10]).toMatch(/^cardinality limit: collector c1 made more new series than allowed per minute.*ZHUYUN_MAX_NEW_SERIES_PER_MINUTE=10.*target=t10/);
    expect(first.refused.new_series_rate).toBe(5);
    // Known series go on at once; new ones wait for the bucket to refill (half a minute: 5).
    const later = batch('c1', Array.from({ length: 15 }, (_, i) => pt('n0', '520103', 'net.latency_ms', `t${i}`)), T0 + 30_000);
    expect(later.errors.filter((e) => e === undefined)).toHaveLength(15);
    // Another collector has its own allowance.
    expect(batch('c2', [pt('m0', '520102', 'net.latency_ms', 'x')]).errors).toEqual([undefined]);
  });

  it('a forgotten node frees its room; a series not seen for forgetAfterMs is new again', () => {
    const { batch, state, guard } = setup({ ...LIMITS, maxNodesPerUnit: 2, forgetAfterMs: 60_000 });
    batch('c1', [pt('old-1'), pt('old-2')]);
    expect(batch('c1', [pt('new-1')], T0 + 30_000).errors[0]).toMatch(/already has 2 nodes/);
    expect(state.forgetSilent(T0 + 61_000, 60_000)).toBe(2);
    expect(state.nodesInUnit('520103')).toBe(0);
    expect(state.nodesOfCollector('c1')).toBe(0);
    expect(batch('c1', [pt('new-1'), pt('new-2')], T0 + 61_000).errors).toEqual([undefined, undefined]);
    expect(state.district('520103').nodes.map((n) => n.id)).toEqual(['new-1', 'new-2']);
    // The sweep runs at most once a minute (or forgetAfterMs): by then old-1's series went.
    guard.open('c1', T0 + 200_000);
    expect(guard.knownSeries()).toBe(0);
  });

  it('ignores collector heartbeats for the node limits (they name no network node)', () => {
    const { batch } = setup({ ...LIMITS, maxNodesPerUnit: 1 });
    batch('c1', [pt('n0')]);
    expect(batch('c1', [pt('c1', '520103', 'collector.points_sent_total')]).errors).toEqual([undefined]);
  });

  it('reports a collector refused lately for the alert, and nothing once it has been quiet for the window', () => {
    const { batch, guard } = setup({ ...LIMITS, maxNodesPerUnit: 1 });
    expect(guard.recentRefusals('c1', T0)).toBe(0);
    batch('c1', [pt('n0'), pt('n1'), pt('n2')]);
    expect(guard.recentRefusals('c1', T0 + 1_000)).toBe(2);
    batch('c1', [pt('n3')], T0 + 60_000);
    expect(guard.recentRefusals('c1', T0 + 61_000)).toBe(3);
    expect(guard.recentRefusals('c2', T0 + 61_000)).toBe(0);
    expect(guard.recentRefusals('c1', T0 + 60_000 + CARDINALITY_ALERT_WINDOW_MS + 1)).toBe(0);
  });
});
