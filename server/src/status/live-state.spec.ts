import { describe, expect, it } from '@jest/globals';
import { MAX_DISTRICT_FRAME_NODES, type Point } from '@zhuyun/protocol';
import { LiveState } from './live-state.js';

const t0 = 1_800_000_000_000;
const pt = (metric: string, value: number, ts: number, tags: Partial<Point['tags']> = {}): Point => ({
  metric,
  value,
  ts,
  tags: { district: '520103', unit: '520103', node: 'yy-core-1', ...tags },
});

function fleet() {
  const dirty: string[][] = [];
  const s = new LiveState((t) => dirty.push([...t]));
  return { s, dirty };
}

describe('LiveState', () => {
  it('carries the registry\'s names in the frames, and marks the districts whose names changed', () => {
    const { s, dirty } = fleet();
    s.apply([pt('net.up', 1, t0), pt('net.up', 1, t0, { node: 'v520103001001' })], t0);
    expect(s.district('520103').nodes.every((n) => n.name === undefined)).toBe(true);
    dirty.length = 0;
    s.setNames(new Map([['v520103001001', '中华北路社区居委会']]));
    expect(s.district('520103').nodes.find((n) => n.id === 'v520103001001')).toMatchObject({ name: '中华北路社区居委会' });
    expect(s.node('yy-core-1')?.name).toBeUndefined();
    expect(dirty.flat()).toEqual(expect.arrayContaining(['district:520103', 'node:v520103001001', 'alerts']));
    dirty.length = 0;
    s.setNames(new Map([['v520103001001', '中华北路社区居委会']]));
    expect(dirty).toEqual([]);
  });

  it('names a node\'s status changes in the overview with its current registry name, and marks the overview when it is renamed', () => {
    const { s, dirty } = fleet();
    s.apply([pt('net.up', 1, t0), pt('net.up', 1, t0, { node: 'v520103001001' })], t0);
    s.setNames(new Map([['v520103001001', '中华北路社区居委会']]));
    s.apply([pt('net.up', 0, t0 + 1000, { node: 'v520103001001' }), pt('net.up', 0, t0 + 1000)], t0 + 1000);
    const nodeChanges = s.overview().changes.filter((c) => c.kind === 'node');
    expect(nodeChanges.find((c) => c.id === 'v520103001001')).toMatchObject({ name: '中华北路社区居委会', to: 'down' });
    expect(nodeChanges.find((c) => c.id === 'yy-core-1')).not.toHaveProperty('name');
    expect(s.overview().changes.find((c) => c.kind === 'unit')).not.toHaveProperty('name');
    dirty.length = 0;
    s.setNames(new Map([['v520103001001', '中华北路社区']]));
    expect(dirty.flat()).toContain('overview');
    expect(s.overview().changes.find((c) => c.id === 'v520103001001')).toMatchObject({ name: '中华北路社区' });
    // A name of a node with no change in the overview leaves the overview alone (the alerts topic is served again).
    dirty.length = 0;
    s.setNames(new Map([['v520103001001', '中华北路社区'], ['nobody', '无']]));
    expect(dirty.flat()).not.toContain('overview');
    expect(dirty.flat()).toContain('alerts');
  });

  it('takes a unit to the worst of its nodes and counts them', () => {
    const { s } = fleet();
    s.apply([pt('net.latency_ms', 3, t0), pt('net.latency_ms', 25, t0, { node: 'yy-acc-1' }), pt('net.up', 0, t0, { node: 'yy-acc-2' })], t0);
    const u = s.unitSummary('520103');
    expect(u.status).toBe('down');
    expect(u.counts).toEqual({ up: 1, degraded: 1, down: 1, unknown: 0 });
    expect(u.latencyMs).toBe(14); // median of 3 and 25; the down node has no latency
    expect(s.unitSummary('520102')).toMatchObject({ status: 'unknown', counts: { up: 0, degraded: 0, down: 0, unknown: 0 } });
  });

  it('carries a node\'s level and role from its points\' tags into the district data (the drill-down sorts by level)', () => {
    const { s } = fleet();
    s.apply([pt('net.latency_ms', 3, t0, { node: 't520181100', level: 'township', role: 'access' }), pt('net.latency_ms', 3, t0, { node: 'untagged' })], t0);
    const byId = new Map(s.district('520103').nodes.map((n) => [n.id, n]));
    expect(byId.get('t520181100')).toMatchObject({ level: 'township', role: 'access' });
    expect(byId.get('untagged')).not.toHaveProperty('level');
  });

  it('splits a unit\'s counts by level (core, township, village, department), stale nodes apart as in its counts', () => {
    const s = new LiveState(() => {}, () => {}, 15 * 60_000);
    s.apply(
      [
        pt('net.up', 0, t0, { node: '520103-core-1', level: 'unit', role: 'core' }),
        pt('net.latency_ms', 3, t0, { node: 't520103001', level: 'township' }),
        pt('net.latency_ms', 30, t0, { node: 'v520103001001', level: 'village' }),
        pt('net.latency_ms', 3, t0, { node: 'v520103001002', level: 'village' }),
        pt('net.latency_ms', 3, t0, { node: '520103-dept-gov', level: 'department' }),
        pt('net.latency_ms', 3, t0, { node: 'untagged' }),
      ],
      t0,
    );
    const u = s.unitSummary('520103');
    expect(u.counts).toEqual({ up: 4, degraded: 1, down: 1, unknown: 0 });
    expect(u.levels).toEqual({
      core: { up: 0, degraded: 0, down: 1, unknown: 0 },
      township: { up: 1, degraded: 0, down: 0, unknown: 0 },
      village: { up: 1, degraded: 1, down: 0, unknown: 0 },
      department: { up: 1, degraded: 0, down: 0, unknown: 0 },
    });
    expect(s.overview().units.find((x) => x.code === '520103')?.levels).toEqual(u.levels);
    // A unit none of whose nodes says its level carries no split.
    s.apply([pt('net.latency_ms', 3, t0, { unit: '520102', district: '520102', node: 'nm-1' })], t0);
    expect(s.unitSummary('520102')).not.toHaveProperty('levels');
    // The township falls silent past the stale time: out of its level as out of the counts.
    let t = t0;
    for (; t <= t0 + 16 * 60_000; t += 30_000) {
      s.apply([pt('net.up', 0, t, { node: '520103-core-1', level: 'unit' }), pt('net.latency_ms', 3, t, { node: 'v520103001002', level: 'village' })], t);
      s.tick(t);
    }
    const later = s.unitSummary('520103');
    expect(later.stale).toBe(4);
    expect(later.levels).toEqual({ core: { up: 0, degraded: 0, down: 1, unknown: 0 }, village: { up: 1, degraded: 0, down: 0, unknown: 0 } });
  });

  it('bounds a district\'s data: worst first, at most MAX_DISTRICT_FRAME_NODES nodes, counts over all of them', () => {
    const { s } = fleet();
    const many = Array.from({ length: MAX_DISTRICT_FRAME_NODES + 100 }, (_, i) => pt('net.latency_ms', 3, t0, { node: `n-${String(i).padStart(4, '0')}` }));
    s.apply([...many, pt('net.up', 0, t0, { node: 'zz-down' }), pt('net.latency_ms', 30, t0, { node: 'zz-slow' })], t0);
    const d = s.district('520103');
    expect(d.nodes).toHaveLength(MAX_DISTRICT_FRAME_NODES);
    expect(d).toMatchObject({ total: MAX_DISTRICT_FRAME_NODES + 102, truncated: true });
    expect(d.nodes.slice(0, 3).map((n) => n.id)).toEqual(['zz-down', 'zz-slow', 'n-0000']);
    expect(d.unit.counts).toEqual({ up: MAX_DISTRICT_FRAME_NODES + 100, degraded: 1, down: 1, unknown: 0 });
    const small = fleet().s;
    small.apply([pt('net.latency_ms', 3, t0)], t0);
    expect(small.district('520103')).toMatchObject({ total: 1, truncated: false });
  });

  it('forgets nodes not heard from for longer than asked, freeing the census, and reports their topics', () => {
    const { s, dirty } = fleet();
    s.apply([pt('net.latency_ms', 3, t0, { node: 'a' })], t0, 'c1');
    s.apply([pt('net.latency_ms', 3, t0 + 50_000, { node: 'b' })], t0 + 50_000, 'c1');
    expect([s.nodesInUnit('520103'), s.nodesOfCollector('c1'), s.hasNode('520103', 'a')]).toEqual([2, 2, true]);
    dirty.length = 0;
    expect(s.forgetSilent(t0 + 61_000, 60_000)).toBe(1);
    expect([s.nodesInUnit('520103'), s.nodesOfCollector('c1'), s.hasNode('520103', 'a'), s.node('a')]).toEqual([1, 1, false, null]);
    expect(s.district('520103').nodes.map((n) => n.id)).toEqual(['b']);
    expect(dirty.flat()).toEqual(expect.arrayContaining(['overview', 'district:520103', 'node:a']));
    expect(s.forgetSilent(t0 + 62_000, 60_000)).toBe(0);
  });

  it('says why a node whose points arrive too old stays unknown (a slow collector clock), and moves a node an admin moved', () => {
    const { s, dirty } = fleet();
    s.apply([pt('net.up', 1, t0 - 5 * 60_000)], t0);
    s.tick(t0 + 1_000);
    expect(s.node('yy-core-1')).toMatchObject({ status: 'unknown', reasons: ['points arrive 5 min old (collector clock behind, or a spool replay): stored, not live'], causes: [{ code: 'late-points', params: { min: 5 } }] });
    // Ingest lets a point name another unit only after an admin's move: the node leaves 520103.
    s.apply([pt('net.up', 1, t0 + 2_000, { district: '520102', unit: '520102' })], t0 + 2_000);
    expect(s.node('yy-core-1')).toMatchObject({ unit: '520102', status: 'up' });
    expect(s.district('520103').nodes).toEqual([]);
    // The cardinality census follows the move: the node counts in its new unit only.
    expect([s.nodesInUnit('520103'), s.nodesInUnit('520102')]).toEqual([0, 1]);
    expect(dirty.at(-1)).toEqual(expect.arrayContaining(['district:520103', 'district:520102']));
  });

  it('keeps a collector\'s heartbeat out of node and district status', () => {
    const { s, dirty } = fleet();
    s.apply([pt('collector.up', 1, t0, { node: 'yunyan-edge-01' })], t0);
    expect(s.node('yunyan-edge-01')).toBeNull();
    expect(s.unitSummary('520103').counts).toEqual({ up: 0, degraded: 0, down: 0, unknown: 0 });
    expect(dirty).toEqual([]);
  });

  it('reports the topics a point touches', () => {
    const { s, dirty } = fleet();
    s.apply([pt('net.latency_ms', 3, t0)], t0);
    expect(dirty[0]).toEqual(expect.arrayContaining(['overview', 'district:520103', 'node:yy-core-1']));
  });

  it('turns a silent node unknown after three intervals and records the change', () => {
    const { s, dirty } = fleet();
    s.apply([pt('net.latency_ms', 3, t0)], t0);
    s.apply([pt('net.latency_ms', 3, t0 + 1000)], t0 + 1000);
    s.apply([pt('net.latency_ms', 3, t0 + 2000)], t0 + 2000);
    dirty.length = 0;
    s.tick(t0 + 7000);
    expect(dirty).toEqual([]);
    s.tick(t0 + 8500);
    expect(s.node('yy-core-1')?.status).toBe('unknown');
    expect(dirty[0]).toEqual(expect.arrayContaining(['overview', 'district:520103']));
    const changes = s.overview().changes;
    expect(changes[0]).toMatchObject({ kind: 'unit', id: '520103', from: 'up', to: 'unknown' });
    expect(changes[1]).toMatchObject({ kind: 'node', id: 'yy-core-1', from: 'up', to: 'unknown' });
  });

  it('does not flip a node between up and degraded when its uplink wavers around 70 % (hysteresis, issue 15 item 5)', () => {
    const { s } = fleet();
    // 69.9 / 70.1 / 69.9 ... every 250 ms for 5 s: one change to degraded, none back.
    for (let i = 0; i <= 20; i++) s.apply([pt('net.if_util_pct', i % 2 ? 70.1 : 69.9, t0 + i * 250)], t0 + i * 250);
    const nodeChanges = () => s.overview().changes.filter((c) => c.kind === 'node');
    expect(nodeChanges().map((c) => c.to)).toEqual(['degraded']);
    expect(s.node('yy-core-1')).toMatchObject({ status: 'degraded', causes: [{ code: 'threshold-held', params: { metric: 'net.if_util_pct', recover: 63 } }] });
    s.apply([pt('net.if_util_pct', 64, t0 + 6000)], t0 + 6000);
    expect(s.node('yy-core-1')?.status).toBe('degraded');
    s.apply([pt('net.if_util_pct', 62, t0 + 6250)], t0 + 6250);
    expect(nodeChanges().map((c) => c.to)).toEqual(['up', 'degraded']);
    expect(nodeChanges()[1]).toMatchObject({ cause: { code: 'threshold', params: { metric: 'net.if_util_pct', value: 70.1, limit: 70 } } });
  });

  it('keeps the newest value when points arrive out of order', () => {
    const { s } = fleet();
    s.apply([pt('net.latency_ms', 60, t0 + 2000), pt('net.latency_ms', 3, t0 + 1000)], t0 + 2000);
    expect(s.node('yy-core-1')?.metrics['net.latency_ms']).toBe(60);
    expect(s.node('yy-core-1')?.status).toBe('down');
  });

  it('does not let history (a spool replay) refresh a node', () => {
    const { s } = fleet();
    s.apply([pt('net.latency_ms', 3, t0 - 3_600_000)], t0);
    expect(s.node('yy-core-1')?.status).toBe('unknown');
  });

  it('takes the worst series of a node that probes several targets', () => {
    const { s } = fleet();
    s.apply([pt('net.latency_ms', 3, t0, { target: 'a' }), pt('net.latency_ms', 55, t0, { target: 'b' })], t0);
    expect(s.node('yy-core-1')?.metrics['net.latency_ms']).toBe(55);
  });

  it('keeps platform nodes out of the district and sums their figures', () => {
    const { s } = fleet();
    const share = { district: '520115', unit: '520115', node: 'share-platform', platform: 'share' };
    s.apply([pt('share.up', 1, t0, share), pt('share.api_calls_total', 1000, t0, share), pt('share.success_pct', 99.9, t0, share)], t0);
    s.apply([pt('share.api_calls_total', 1500, t0 + 5000, share)], t0 + 5000);
    expect(s.unitSummary('520115').counts.up).toBe(0);
    const p = s.platformSummary('share');
    expect(p.status).toBe('up');
    expect(p.figures).toMatchObject({ up: 1, success_pct: 99.9, api_calls_per_s: 100 });
  });

  it('shows a platform outage as down with its reason', () => {
    const { s } = fleet();
    const open = { district: '520115', unit: '520115', node: 'open-platform', platform: 'open' };
    s.apply([pt('open.up', 1, t0, open)], t0);
    expect(s.overview().changes).toEqual([]); // first seen is not a change
    s.apply([pt('open.up', 0, t0 + 1000, open)], t0 + 1000);
    expect(s.platformSummary('open').status).toBe('down');
    expect(s.overview().changes.find((c) => c.kind === 'platform')).toMatchObject({ id: 'open', to: 'down' });
  });

  it('gives the overview all fourteen units and medians over live nodes', () => {
    const { s } = fleet();
    s.apply([pt('net.latency_ms', 2, t0), pt('net.loss_pct', 0.5, t0), pt('net.latency_ms', 8, t0, { district: '520113', unit: 'gy-hitech', node: 'ht-1' })], t0);
    const o = s.overview();
    expect(o.units).toHaveLength(14);
    expect(o.latencyMs).toBe(5);
    expect(o.counts).toEqual({ up: 1, degraded: 1, down: 0, unknown: 0 });
    expect(o.units.find((u) => u.code === 'gy-hitech')?.status).toBe('up');
  });
});

describe('LiveState: stale nodes (ZHUYUN_NODE_STALE_AFTER)', () => {
  const STALE = 15 * 60_000;
  it('leaves a node silent past the stale time out of its unit\'s status and counts, flagged and counted apart', () => {
    const s = new LiveState(() => {}, () => {}, STALE);
    s.apply([pt('net.latency_ms', 3, t0), pt('net.latency_ms', 3, t0, { node: 'yy-acc-1' })], t0);
    // yy-acc-1 falls silent; yy-core-1 keeps reporting.
    let t = t0;
    for (; t < t0 + STALE + 60_000; t += 10_000) {
      s.apply([pt('net.latency_ms', 3, t)], t);
      s.tick(t);
      if (t === t0 + 60_000) expect(s.unitSummary('520103').status).toBe('unknown'); // silent, not yet stale: grey
    }
    const u = s.unitSummary('520103');
    expect(u).toMatchObject({ status: 'up', counts: { up: 1, degraded: 0, down: 0, unknown: 0 }, stale: 1 });
    expect(s.node('yy-acc-1')).toMatchObject({ status: 'unknown', stale: true });
    expect(s.node('yy-core-1')!.stale).toBeUndefined();
    expect(s.district('520103').nodes.map((n) => [n.id, n.stale ?? false])).toEqual([['yy-acc-1', true], ['yy-core-1', false]]);
    // It reports again: no longer stale, counted again.
    s.apply([pt('net.latency_ms', 3, t, { node: 'yy-acc-1' })], t);
    expect(s.unitSummary('520103')).toMatchObject({ status: 'up', counts: { up: 2 } });
    expect(s.unitSummary('520103').stale).toBeUndefined();
  });

  it('without a stale time (the default of the class) a silent node greys its unit as before', () => {
    const s = new LiveState();
    s.apply([pt('net.latency_ms', 3, t0), pt('net.latency_ms', 3, t0, { node: 'yy-acc-1' })], t0);
    const t = t0 + 20 * 60_000;
    s.apply([pt('net.latency_ms', 3, t)], t);
    s.tick(t);
    expect(s.unitSummary('520103').status).toBe('unknown');
  });

  it('forgets retired nodes at once: out of their unit and the census', () => {
    const s = new LiveState(() => {}, () => {}, STALE);
    s.apply([pt('net.up', 1, t0), pt('net.up', 0, t0, { node: 'yy-acc-1' })], t0, 'c1');
    expect(s.unitSummary('520103').status).toBe('down');
    expect(s.forgetNodes(['yy-acc-1'], t0 + 1000)).toBe(1);
    expect(s.node('yy-acc-1')).toBeNull();
    expect(s.unitSummary('520103')).toMatchObject({ status: 'up', counts: { up: 1, down: 0 } });
    expect(s.nodesOfCollector('c1')).toBe(1);
  });

  it('lists the nodes known only through one collector', () => {
    const s = new LiveState();
    s.apply([pt('net.up', 1, t0, { node: 'a' }), pt('net.up', 1, t0, { node: 'b' })], t0, 'c1');
    s.apply([pt('net.up', 1, t0, { node: 'c' })], t0, 'c2');
    s.apply([pt('net.up', 1, t0 + 1000, { node: 'd' })], t0 + 1000, 'c1');
    s.apply([pt('net.up', 1, t0 + 2000, { node: 'd' })], t0 + 2000, 'c2'); // d: reported by both
    s.apply([pt('cloud.systems_running', 3, t0, { node: 'cloud-1', platform: 'cloud' })], t0, 'c1');
    s.apply([pt('cloud.systems_running', 3, t0, { node: 'cloud-1', platform: 'cloud', unit: '520102', district: '520102' })], t0, 'c2');
    expect(s.nodesOnlyOf('c1')).toEqual(['a', 'b']);
    expect(s.nodesOnlyOf('c2')).toEqual(['c']);
  });
});
