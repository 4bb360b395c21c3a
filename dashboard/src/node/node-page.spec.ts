import { describe, expect, it } from '@jest/globals';
import type { AlertWithRule, SeriesResponse } from '@zhuyun/protocol';
import { nodeHref, nodeNaming, rangeOf, seriesLines, splitAlerts, upMinutes } from './node-page';

const MIN = 60_000;
const HOUR = 60 * MIN;
// 2026-12-03 12:30 Beijing = 04:30 UTC; the Beijing month began 2026-11-30 16:00 UTC.
const now = Date.UTC(2026, 11, 3, 4, 30);
const monthStart = Date.UTC(2026, 10, 30, 16);

const resp = (step: SeriesResponse['step'], series: Array<{ tags?: Record<string, string>; points: SeriesResponse['series'][number]['points'] }>): SeriesResponse => ({
  metric: 'net.up',
  from: monthStart,
  to: now,
  step,
  series: series.map((s) => ({ metric: 'net.up', tags: { node: 'v1', ...s.tags }, points: s.points })),
});

describe('nodeHref', () => {
  it.each([
    ['v520181100001', '/node/v520181100001'],
    ['gy-core', '/node/gy-core'],
    ['a:b c', '/node/a%3Ab%20c'],
  ])('%s → %s', (id, href) => expect(nodeHref(id)).toBe(href));
});

describe('nodeNaming: the name first, the id second', () => {
  it.each<[string, string, string | null | undefined, { first: string; second: string | null }]>([
    ['a registered node', 'v520181100001', '红枫湖社区', { first: '红枫湖社区', second: 'v520181100001' }],
    ['no name', 'gy-core', undefined, { first: 'gy-core', second: null }],
    ['null name', 'gy-core', null, { first: 'gy-core', second: null }],
    ['blank name', 'gy-core', '  ', { first: 'gy-core', second: null }],
    ['the name is the id', 'gy-core', 'gy-core', { first: 'gy-core', second: null }],
    ['padded name', 'nm-1', ' 南明区汇聚节点 ', { first: '南明区汇聚节点', second: 'nm-1' }],
  ])('%s', (_what, id, name, want) => expect(nodeNaming(id, name)).toEqual(want));
});

describe('rangeOf', () => {
  it.each([
    ['24h', '24h'],
    ['30d', '30d'],
    [undefined, '1h'],
    ['2y', '1h'],
    [['6h'], '1h'],
  ])('%j → %s', (q, key) => expect(rangeOf(q).key).toBe(key));
});

describe('seriesLines', () => {
  it('one series is the label; rollup buckets draw their mean', () => {
    const lines = seriesLines(resp('1h', [{ points: [[monthStart, 0.5, 0, 1, 60]] }]), '红枫湖镇 · t1');
    expect(lines).toEqual([{ node: '红枫湖镇 · t1', points: [[monthStart, 0.5]] }]);
  });
  it('several series are told apart by the tag that differs', () => {
    const lines = seriesLines(resp('raw', [{ tags: { target: '10.0.0.1' }, points: [[1, 2]] }, { tags: { target: '10.0.0.2' }, points: [] }]), 'X');
    expect(lines.map((l) => l.node)).toEqual(['X · 10.0.0.1', 'X · 10.0.0.2']);
  });
  it('no answer, no lines', () => expect(seriesLines(null, 'X')).toEqual([]));
});

describe('upMinutes (the node\'s own, from net.up)', () => {
  const elapsed = (now - monthStart) / MIN;
  const cases: Array<{ name: string; resp: SeriesResponse | null; up: number; measured: number }> = [
    { name: 'nothing measured', resp: null, up: 0, measured: 0 },
    { name: 'an hour up', resp: resp('1h', [{ points: [[monthStart, 1, 1, 1, 360]] }]), up: 60, measured: 60 },
    { name: 'an hour half down', resp: resp('1h', [{ points: [[monthStart, 0.5, 0, 1, 360]] }]), up: 30, measured: 60 },
    { name: 'the current hour counts to now only (30 min)', resp: resp('1h', [{ points: [[now - 30 * MIN, 1, 1, 1, 180]] }]), up: 30, measured: 30 },
    { name: 'a bucket before the month is not counted', resp: resp('1h', [{ points: [[monthStart - HOUR, 1, 1, 1, 360]] }]), up: 0, measured: 0 },
    { name: 'minute buckets', resp: resp('1m', [{ points: [[monthStart, 1, 1, 1, 6], [monthStart + MIN, 0, 0, 0, 6], [monthStart + 2 * MIN, 1, 1, 1, 6]] }]), up: 2, measured: 3 },
    { name: 'two targets: the worst of the two', resp: resp('1h', [{ tags: { target: 'a' }, points: [[monthStart, 1, 1, 1, 360]] }, { tags: { target: 'b' }, points: [[monthStart, 0.25, 0, 1, 360]] }]), up: 15, measured: 60 },
    { name: 'raw points: the minute each falls in, the worst of a minute', resp: resp('raw', [{ points: [[now - 5 * MIN + 1, 1], [now - 5 * MIN + 20_000, 0], [now - 4 * MIN, 1]] }]), up: 1, measured: 2 },
  ];
  it.each(cases)('$name', ({ resp: r, up, measured }) => {
    const m = upMinutes(r, now);
    expect(m.up).toBeCloseTo(up, 6);
    expect(m.measured).toBeCloseTo(measured, 6);
    expect(m.elapsed).toBeCloseTo(elapsed, 6);
    expect(m.month).toBe('2026-12');
    expect(m.pct).toBe(measured ? (up / measured) * 100 : null);
  });
});

describe('splitAlerts', () => {
  const a = (id: string, state: AlertWithRule['state'], severity: string, activeAt: number, resolvedAt: number | null = null) =>
    ({ id, state, severity, activeAt, resolvedAt, updatedAt: resolvedAt ?? activeAt }) as AlertWithRule;
  it('open ones worst first then newest; the rest newest first', () => {
    const { open, recent } = splitAlerts([a('r1', 'resolved', 'P1', 1, 5), a('o1', 'firing', 'P3', 9), a('o2', 'pending', 'P1', 3), a('o3', 'firing', 'P1', 4), a('r2', 'resolved', 'P3', 2, 8)]);
    expect(open.map((x) => x.id)).toEqual(['o3', 'o2', 'o1']);
    expect(recent.map((x) => x.id)).toEqual(['r2', 'r1']);
  });
});
