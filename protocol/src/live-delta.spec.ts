import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DistrictData, NodeState, NodeStatus, OverviewData, StatusChange, UnitSummary } from './live.js';
import {
  OVERVIEW_CHANGES,
  applyDistrictDelta,
  applyOverviewDelta,
  applyTopicDelta,
  compareNodeStates,
  diffDistrict,
  diffNode,
  diffOverview,
  diffTopic,
  type TopicDelta,
} from './live-delta.js';

/** What the wire does to a delta: JSON (undefined fields vanish). */
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

const node = (id: string, over: Partial<NodeState> = {}): NodeState => ({
  id,
  district: '520181',
  unit: '520181',
  status: 'up',
  reasons: [],
  lastSeen: 1000,
  metrics: { 'net.latency_ms': 10 },
  ...over,
});
const unit = (code: string, over: Partial<UnitSummary> = {}): UnitSummary => ({
  code,
  status: 'up',
  counts: { up: 1, degraded: 0, down: 0, unknown: 0 },
  latencyMs: 10,
  lossPct: 0,
  ...over,
});
const district = (nodes: NodeState[], over: Partial<DistrictData> = {}): DistrictData => ({
  unit: unit('520181'),
  nodes: [...nodes].sort(compareNodeStates),
  total: nodes.length,
  truncated: false,
  ...over,
});

describe('diffNode / diffDistrict: only what changed', () => {
  const cases: Array<[string, DistrictData, DistrictData, unknown]> = [
    ['nothing changed: no delta', district([node('a')]), district([node('a')]), undefined],
    ['one metric of one node', district([node('a'), node('b')]), district([node('a'), node('b', { metrics: { 'net.latency_ms': 11 } })]), { nodes: [{ id: 'b', metrics: { 'net.latency_ms': 11 } }] }],
    ['lastSeen and a new metric', district([node('a')]), district([node('a', { lastSeen: 2000, metrics: { 'net.latency_ms': 10, 'net.loss_pct': 1 } })]), { nodes: [{ id: 'a', set: { lastSeen: 2000 }, metrics: { 'net.loss_pct': 1 } }] }],
    ['a metric gone', district([node('a')]), district([node('a', { metrics: {} })]), { nodes: [{ id: 'a', metrics: { 'net.latency_ms': null } }] }],
    ['behind cleared', district([node('a', { behind: 'core' })]), district([node('a')]), { nodes: [{ id: 'a', unset: ['behind'] }] }],
    ['a node removed, one added', district([node('a')]), district([node('b')]), { nodes: [{ id: 'b', set: { district: '520181', unit: '520181', status: 'up', reasons: [], lastSeen: 1000 }, metrics: { 'net.latency_ms': 10 } }], removed: ['a'] }],
    ['unit summary only', district([node('a')]), district([node('a')], { unit: unit('520181', { latencyMs: 12 }) }), { unit: unit('520181', { latencyMs: 12 }) }],
    ['total and truncated', district([node('a')]), district([node('a')], { total: 900, truncated: true }), { total: 900, truncated: true }],
  ];
  it.each(cases)('%s', (_name, a, b, want) => {
    const d = diffDistrict(a, b);
    expect(d === undefined ? undefined : wire(d)).toEqual(want);
    if (d) expect(json(applyDistrictDelta(a, wire(d)))).toEqual(json(b));
  });

  it('re-sorts after a status change (the order is not sent)', () => {
    const a = district([node('a'), node('b')]);
    const b = district([node('a'), node('b', { status: 'down', reasons: ['down'] })]);
    const got = applyDistrictDelta(a, wire(diffDistrict(a, b)!));
    expect(got.nodes.map((n) => n.id)).toEqual(['b', 'a']);
  });

  it('a node new to the frame carries all of it', () => {
    expect(diffNode(undefined, node('x', { name: '红枫湖镇' }))).toEqual({
      id: 'x',
      set: { name: '红枫湖镇', district: '520181', unit: '520181', status: 'up', reasons: [], lastSeen: 1000 },
      metrics: { 'net.latency_ms': 10 },
    });
  });
});

const change = (i: number): StatusChange => ({ ts: i, kind: 'node', id: `n${i}`, from: 'up', to: 'down' });
const overview = (over: Partial<OverviewData> = {}): OverviewData => ({
  units: [unit('520102'), unit('520103')],
  counts: { up: 2, degraded: 0, down: 0, unknown: 0 },
  latencyMs: 10,
  lossPct: 0,
  platforms: [{ platform: 'share', status: 'up', counts: { up: 1, degraded: 0, down: 0, unknown: 0 }, figures: { up: 1 } }],
  changes: [],
  ...over,
});

describe('diffOverview: units and platforms by key, new changes only', () => {
  const thirty = Array.from({ length: 30 }, (_, i) => change(100 - i));
  const cases: Array<[string, OverviewData, OverviewData, unknown]> = [
    ['nothing', overview(), overview(), undefined],
    ['one unit', overview(), overview({ units: [unit('520102'), unit('520103', { status: 'down' })] }), { units: [unit('520103', { status: 'down' })] }],
    ['figures and medians', overview(), overview({ latencyMs: null, counts: { up: 1, degraded: 1, down: 0, unknown: 0 } }), { latencyMs: null, counts: { up: 1, degraded: 1, down: 0, unknown: 0 } }],
    ['two new changes in front', overview({ changes: [change(1)] }), overview({ changes: [change(3), change(2), change(1)] }), { newChanges: [change(3), change(2)] }],
    ['new change pushes the oldest out', overview({ changes: thirty }), overview({ changes: [change(101), ...thirty.slice(0, 29)] }), { newChanges: [change(101)] }],
    ['a list that is not new-in-front goes whole', overview({ changes: [change(1), change(2)] }), overview({ changes: [change(2)] }), { changes: [change(2)] }],
    ['a new change with a node\'s name', overview({ changes: [change(1)] }), overview({ changes: [{ ...change(2), name: '红枫湖镇' }, change(1)] }), { newChanges: [{ ...change(2), name: '红枫湖镇' }] }],
    ['a renamed node\'s change: the list goes whole', overview({ changes: [{ ...change(1), name: '旧名' }] }), overview({ changes: [{ ...change(1), name: '红枫湖镇' }] }), { changes: [{ ...change(1), name: '红枫湖镇' }] }],
    ['a unit list with other keys goes whole', overview(), overview({ units: [unit('520103')] }), { allUnits: [unit('520103')] }],
  ];
  it.each(cases)('%s', (_name, a, b, want) => {
    const d = diffOverview(a, b);
    expect(d === undefined ? undefined : wire(d)).toEqual(want);
    if (d) expect(json(applyOverviewDelta(a, wire(d)))).toEqual(json(b));
  });
});

// Property: a snapshot with every delta after it applied equals the server's whole state.
const statusArb = fc.constantFrom<NodeStatus>('up', 'degraded', 'down', 'unknown');
const metricsArb = fc.dictionary(fc.constantFrom('net.latency_ms', 'net.loss_pct', 'if.in_bps', 'x_total', 'x_total:rate'), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })));
const nodeArb = (id: string) =>
  fc.record(
    {
      id: fc.constant(id),
      district: fc.constantFrom('520181', '520113'),
      unit: fc.constant('520181'),
      status: statusArb,
      parent: fc.constantFrom('core', 't1'),
      level: fc.constantFrom('village', 'township'),
      role: fc.constant('access'),
      name: fc.constantFrom('红枫湖镇', '站街镇'),
      behind: fc.constantFrom('core', 't1'),
      stale: fc.constant(true as const),
      reasons: fc.array(fc.constantFrom('a ≥ 1', 'b ≥ 2'), { maxLength: 2 }),
      lastSeen: fc.integer({ min: 0, max: 10 }),
      metrics: metricsArb,
    },
    { requiredKeys: ['id', 'district', 'unit', 'status', 'reasons', 'lastSeen', 'metrics'] },
  ) as fc.Arbitrary<NodeState>;
const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const unitArb = (code: string) =>
  fc.record({ code: fc.constant(code), status: statusArb, counts: fc.record({ up: fc.nat(9), degraded: fc.nat(9), down: fc.nat(9), unknown: fc.nat(9) }), latencyMs: fc.option(fc.nat(99)), lossPct: fc.option(fc.nat(9)) }, { requiredKeys: ['code', 'status', 'counts', 'latencyMs', 'lossPct'] }) as fc.Arbitrary<UnitSummary>;
const districtArb: fc.Arbitrary<DistrictData> = fc
  .record({
    unit: unitArb('520181'),
    nodes: fc.subarray(ids).chain((some) => fc.tuple(...some.map(nodeArb))),
    total: fc.nat(9),
    truncated: fc.boolean(),
  })
  .map((d) => ({ ...d, nodes: [...d.nodes].sort(compareNodeStates) }));
// Optional fields (a node's registry name, its unit, the reason) travel as they are.
const changeArb = fc.record(
  { ts: fc.nat(50), kind: fc.constantFrom('node' as const, 'unit' as const), id: fc.constantFrom('a', 'b', '520181'), name: fc.constantFrom('红枫湖镇', '站街镇'), unit: fc.constant('520181'), from: statusArb, to: statusArb, reason: fc.constantFrom('net.up 0 ≤ 0') },
  { requiredKeys: ['ts', 'kind', 'id', 'from', 'to'] },
);
const overviewArb: fc.Arbitrary<OverviewData> = fc.record({
  units: fc.subarray(['520102', '520103', '520181']).chain((codes) => fc.tuple(...codes.map(unitArb))),
  counts: fc.record({ up: fc.nat(9), degraded: fc.nat(9), down: fc.nat(9), unknown: fc.nat(9) }),
  latencyMs: fc.option(fc.nat(99)),
  lossPct: fc.option(fc.nat(9)),
  platforms: fc.constant([]),
  changes: fc.array(changeArb, { maxLength: OVERVIEW_CHANGES }),
});
/** A next overview the way the server makes one: some new changes in front, the list cut to OVERVIEW_CHANGES. */
const nextOverview = (a: OverviewData) =>
  fc.tuple(overviewArb, fc.array(changeArb, { maxLength: 4 }), fc.boolean()).map(([b, fresh, grow]) => (grow ? { ...b, changes: [...fresh, ...a.changes].slice(0, OVERVIEW_CHANGES) } : b));

function replay(topic: string, states: unknown[]): unknown {
  let held = wire(states[0]); // the snapshot
  for (let i = 1; i < states.length; i++) {
    const d = diffTopic(topic, states[i - 1], states[i]);
    if (d) held = applyTopicDelta(topic, held, wire(d) as TopicDelta);
  }
  return json(held);
}

describe('apply(snapshot, deltas) equals the whole state', () => {
  it('district', () => {
    fc.assert(fc.property(fc.array(districtArb, { minLength: 1, maxLength: 8 }), (states) => {
      expect(replay('district:520181', states)).toEqual(json(states.at(-1)));
    }), { numRuns: 300 });
  });
  it('overview', () => {
    const chain = overviewArb.chain((s0) => nextOverview(s0).chain((s1) => nextOverview(s1).map((s2) => [s0, s1, s2])));
    fc.assert(fc.property(chain, (states) => {
      expect(replay('overview', states)).toEqual(json(states.at(-1)));
    }), { numRuns: 300 });
  });
  it('no delta exactly when equal', () => {
    fc.assert(fc.property(districtArb, districtArb, (a, b) => {
      expect(diffDistrict(a, b) === undefined).toBe(JSON.stringify(a) === JSON.stringify(b));
    }));
  });
});
