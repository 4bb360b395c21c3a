import { describe, expect, it } from '@jest/globals';
import { monthRange, type Tags } from '@zhuyun/protocol';
import { HISTORY_STEP_MS, HOUR_MS, HistorySampler, downMinutes, pastAlerts, serviceFleets, historyRange, type PastFault } from './history.js';

const M = 60_000;
const T = Date.UTC(2026, 10, 10, 0, 0); // on the hour
const fleet = [
  { id: 'A-core-1', unit: '520102', role: 'core' as const },
  { id: 'A-acc-1', unit: '520102', role: 'access' as const, parent: 'A-core-1' },
  { id: 'A-acc-2', unit: '520102', role: 'access' as const, parent: 'A-core-1' },
  { id: 'A-v-1', unit: '520102', role: 'access' as const, parent: 'A-acc-1', everyMs: 10_000 },
];
const fault = (f: Partial<PastFault> & { start: number; end: number }): PastFault => ({ kind: 'link_down', unit: '520102', ...f });

describe('historyRange', () => {
  it.each([
    ['mid-month', Date.UTC(2026, 11, 3, 12, 45, 30), '2026-11', Date.UTC(2026, 11, 3, 12, 45)],
    ['first hours of a Beijing month (still UTC November)', Date.UTC(2026, 10, 30, 17, 0), '2026-11', Date.UTC(2026, 10, 30, 17, 0)],
    ['January: last December', Date.UTC(2027, 0, 15), '2026-12', Date.UTC(2027, 0, 15)],
  ])('%s', (_, now, month, to) => {
    expect(historyRange(now)).toEqual({ from: monthRange(month).from, to });
  });
});

describe('downMinutes (the live engine scoring what the faults did)', () => {
  const fleets = serviceFleets(fleet);
  it.each<[string, PastFault[], Record<string, number[]>]>([
    ['the core down 90 s: the minutes it was down more than half of', [fault({ node: 'A-core-1', start: T + 10_000, end: T + 100_000 })], { 'extranet:520102': [T, T + M] }],
    ['the core down 2 min from the half minute: only the minute it covered whole (half a minute is not more than half)', [fault({ node: 'A-core-1', start: T + 30_000, end: T + 150_000 })], { 'extranet:520102': [T + M] }],
    ['an access node down: not enough for an outage', [fault({ node: 'A-acc-2', start: T, end: T + 120_000 })], {}],
    ['an access node and the village behind it: half the nodes, not more', [fault({ node: 'A-acc-1', start: T, end: T + 120_000 })], {}],
    ['a latency storm takes nothing down', [fault({ kind: 'latency_storm', start: T, end: T + 120_000 })], {}],
    ['the sharing platform out 40 s: the success rate falls below 95 %', [{ kind: 'platform_outage', platform: 'share', start: T, end: T + 40_000 }], { share: [T] }],
    ['the open platform out 20 s: its probes mostly answered', [{ kind: 'platform_outage', platform: 'open', start: T, end: T + 20_000 }], {}],
  ])('%s', (_, faults, want) => {
    expect(Object.fromEntries(downMinutes(fleets, faults, T - HOUR_MS, T + HOUR_MS))).toEqual(want);
  });
});

describe('pastAlerts (the default down rules: for 1 min, kept 1 min)', () => {
  const evidence = new Map<string, { metric: string; tags: Tags }>([
    ['A-core-1\u0000net.up', { metric: 'net.up', tags: { district: '520102', unit: '520102', node: 'A-core-1', role: 'core' } }],
    ['share-platform\u0000share.up', { metric: 'share.up', tags: { district: '520115', unit: '520115', node: 'share-platform', platform: 'share' } }],
  ]);
  it.each<[string, PastFault, number | null]>([
    ['down 90 s: fired after 1 min, resolved 1 min after', fault({ node: 'A-core-1', start: T, end: T + 90_000 }), T + 60_000],
    ['down 45 s: never fired', fault({ node: 'A-core-1', start: T, end: T + 45_000 }), null],
    ['a platform out 2 min', { kind: 'platform_outage', platform: 'share', start: T, end: T + 120_000 }, T + 60_000],
    ['still held when live data takes over: left to the live engine', fault({ node: 'A-core-1', start: T + 2 * HOUR_MS - 100_000, end: T + 2 * HOUR_MS - 10_000 }), null],
  ])('%s', (_, f, firedAt) => {
    const alerts = pastAlerts([f], evidence, T + 2 * HOUR_MS);
    if (firedAt === null) return expect(alerts).toEqual([]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ activeAt: f.start, firedAt, resolvedAt: f.end + 60_000 });
    expect(alerts[0].ruleId).toBe(f.kind === 'link_down' ? 'default-net-up-down' : 'default-share-up-down');
  });
});

describe('HistorySampler', () => {
  const range = { from: T, to: T + 2 * HOUR_MS + 5 * M };
  const pt = (node: string, metric: string, ts: number, value: number) => ({ metric, ts, value, tags: { district: '520102', node, role: 'core' } });

  it('rolls whole hours before `to` up, each sample weighted as the live samples it stands for', () => {
    const s = new HistorySampler(range, fleet);
    for (let ts = range.from; ts < range.to; ts += HISTORY_STEP_MS) s.add([pt('A-core-1', 'net.latency_ms', ts, ts < T + HOUR_MS ? 2 : 4), pt('A-v-1', 'net.latency_ms', ts, 3)], ts);
    const r = s.rollups();
    const core = r.find((x) => x.tags.node === 'A-core-1')!;
    // The hour `to` falls in is left to live data.
    expect(core.buckets.map((b) => b.bucket)).toEqual([T, T + HOUR_MS]);
    expect(core.buckets[0]).toMatchObject({ min: 2, max: 2, count: 3_600, sum: 7_200, last: 2 });
    expect(core.buckets[1].sum / core.buckets[1].count).toBe(4);
    // A village reports every 10 s: 360 samples an hour.
    expect(r.find((x) => x.tags.node === 'A-v-1')!.buckets[0].count).toBe(360);
    // Tags as ingest stores them (unit from the district).
    expect(core.tags).toMatchObject({ district: '520102', unit: '520102', node: 'A-core-1' });
  });

  it('keeps up and latency of an access node, everything of a core', () => {
    const s = new HistorySampler(range, fleet);
    const acc = (metric: string) => ({ metric, ts: T, value: 1, tags: { district: '520102', node: 'A-acc-1', role: 'access', parent: 'A-core-1' } });
    s.add([...['net.up', 'net.latency_ms', 'net.loss_pct', 'net.jitter_ms'].map(acc), pt('A-core-1', 'net.jitter_ms', T, 0.1)], T);
    expect(s.rollups().map((r) => `${r.tags.node} ${r.metric}`).sort()).toEqual(['A-acc-1 net.latency_ms', 'A-acc-1 net.up', 'A-core-1 net.jitter_ms']);
  });

  it('counts a down sample only for the part of the step the fault lasted', () => {
    const s = new HistorySampler(range, fleet);
    // The core went down for 60 s at T: a tenth of the 10-minute step.
    s.faults([{ id: 1, kind: 'link_down', unit: '520102', node: 'A-core-1', startedAt: T, durationMs: 60_000, factor: 1, origin: 'random' }]);
    s.add([pt('A-v-1', 'net.up', T, 0)], T);
    for (let ts = T + HISTORY_STEP_MS; ts < T + HOUR_MS; ts += HISTORY_STEP_MS) s.add([pt('A-v-1', 'net.up', ts, 1)], ts);
    const b = s.rollups()[0].buckets[0];
    expect(b).toMatchObject({ min: 0, max: 1, count: 360 });
    expect(b.sum / b.count).toBeCloseTo(1 - 0.1 / 6, 10);
    expect(s.pastFaults()).toEqual([{ kind: 'link_down', unit: '520102', node: 'A-core-1', platform: undefined, start: T, end: T + 60_000 }]);
  });
});
