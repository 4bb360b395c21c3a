import { describe, expect, it } from '@jest/globals';
import { cityTotals, defaultDir, formatCoverage, isRanked, formatCny, formatMonth, formatRate, kpiValue, lastMonths, sortRows, trendOf, type ComparisonRow } from './league';

/** A comparison row with the figures that matter here; the rest empty. */
function row(
  unit: string,
  f: { rate?: number | null; migrated?: number; denominator?: number; p1?: number | null; cny?: number; up?: number; down?: number; noData?: number; risk?: number; avail?: number | null; low?: boolean } = {},
): ComparisonRow {
  const measured = (f.up ?? 0) + (f.down ?? 0);
  const elapsed = measured + (f.noData ?? 0);
  return {
    unit,
    kind: unit.startsWith('gy-') ? 'zone' : 'district',
    name: { zh: unit, en: unit },
    availability: f.up === undefined ? null : { availabilityPct: f.avail ?? null, upMinutes: f.up, downMinutes: f.down ?? 0, noDataMinutes: f.noData ?? 0, incidents: {}, mttrMinutes: null },
    coverage: f.up === undefined ? null : { measuredMinutes: measured, elapsedMinutes: elapsed, pct: elapsed ? (measured / elapsed) * 100 : null },
    lowCoverage: f.low ?? false,
    p1Incidents: f.p1 ?? null,
    mttrMinutes: null,
    migration:
      f.rate === undefined
        ? null
        : { migrated: f.migrated ?? 0, denominator: f.denominator ?? 0, ratePct: f.rate, overdue: 0, omAtRisk: f.risk ?? 0, omAtRiskCny: f.cny ?? 0 },
    delta: { availabilityPct: null, p1Incidents: null, mttrMinutes: null, migrationRatePct: null, overdue: null, omAtRisk: null },
  };
}

describe('sortRows', () => {
  const rows = [row('520102', { rate: 14.29 }), row('520103', { rate: 33.33 }), row('520111', { rate: null }), row('520112', { rate: 33.33 }), row('gy-hitech')];

  it.each([
    ['desc', ['520103', '520112', '520102', '520111', 'gy-hitech']],
    ['asc', ['520102', '520103', '520112', '520111', 'gy-hitech']],
  ] as const)('by migration rate %s: unmeasured last, ties in official order', (dir, expected) => {
    expect(sortRows(rows, 'migrationRatePct', dir).map((r) => r.unit)).toEqual(expected);
  });

  it('by unit: the official order (districts by code, then zones), whatever the input order', () => {
    expect(sortRows([...rows].reverse(), 'unit', 'asc').map((r) => r.unit)).toEqual(['520102', '520103', '520111', '520112', 'gy-hitech']);
  });

  it('does not change its input', () => {
    const copy = [...rows];
    sortRows(rows, 'migrationRatePct', 'desc');
    expect(rows).toEqual(copy);
  });

  it('sorts best first on the first click: high rates, few incidents', () => {
    expect(defaultDir('migrationRatePct')).toBe('desc');
    expect(defaultDir('availabilityPct')).toBe('desc');
    expect(defaultDir('p1Incidents')).toBe('asc');
    expect(defaultDir('omAtRiskCny')).toBe('asc');
  });

  it('reads each KPI from its place in the row', () => {
    const r = row('520102', { rate: 20, cny: 3_267_000, risk: 5, p1: 2 });
    expect(kpiValue(r, 'migrationRatePct')).toBe(20);
    expect(kpiValue(r, 'omAtRiskCny')).toBe(3_267_000);
    expect(kpiValue(r, 'omAtRisk')).toBe(5);
    expect(kpiValue(r, 'p1Incidents')).toBe(2);
  });

  it('ranks a unit whose availability rests on too few minutes after the others (issue 15 item 12)', () => {
    const rs = [
      row('520102', { up: 10, noData: 3_765, avail: 100, low: true }), // 100 % from 10 of 3,775 minutes
      row('520103', { up: 3_700, down: 5, noData: 70, avail: 99.865 }),
      row('520111', { up: 3_770, down: 1, noData: 4, avail: 99.973 }),
      row('520112'), // not measured
    ];
    expect(sortRows(rs, 'availabilityPct', 'desc').map((r) => r.unit)).toEqual(['520111', '520103', '520102', '520112']);
    expect(sortRows(rs, 'availabilityPct', 'asc').map((r) => r.unit)).toEqual(['520103', '520111', '520102', '520112']);
    expect(isRanked(rs[0], 'availabilityPct')).toBe(false);
    expect(isRanked(rs[0], 'migrationRatePct')).toBe(true); // coverage is the network's, not the inventory's
    expect(isRanked(rs[1], 'availabilityPct')).toBe(true);
  });
});

describe('trendOf', () => {
  it.each([
    [14.29, 'higher', 'pp', { arrow: '▲', tone: 'good', text: '14.3' }],
    [-2, 'higher', 'pp', { arrow: '▼', tone: 'bad', text: '2' }],
    [1, 'lower', 'count', { arrow: '▲', tone: 'bad', text: '1' }],
    [-1, 'lower', 'count', { arrow: '▼', tone: 'good', text: '1' }],
    [0.01, 'higher', 'pp', { arrow: '＝', tone: 'flat', text: '' }],
  ] as const)('%d (%s is better, %s)', (delta, better, unit, expected) => {
    expect(trendOf(delta, better, unit, 'zh-CN')).toEqual(expected);
  });
  it('no arrow when a month is unknown', () => expect(trendOf(null, 'higher', 'pp', 'en')).toBeNull());
});

describe('money, rates and months as officials write them', () => {
  it.each([
    [3_267_000, 'zh-CN', '326.7 万元'],
    [13_267_000, 'zh-CN', '1,326.7 万元'],
    [8_000, 'zh-CN', '8,000 元'],
    [0, 'zh-CN', '0 元'],
    [3_267_000, 'en', 'CNY 3.27 M'],
    [5_300_000, 'en', 'CNY 5.30 M'],
    [5_300_000, 'zh-CN', '530.0 万元'],
    [86_500, 'en', 'CNY 86,500'],
  ] as const)('%d yuan in %s → %s', (v, locale, expected) => expect(formatCny(v, locale)).toBe(expected));

  it('rates with one decimal, whole at 0 and 100, a dash when unknown', () => {
    expect(formatRate(14.2857, 'zh-CN')).toBe('14.3%');
    expect(formatRate(100, 'en')).toBe('100%');
    expect(formatRate(null, 'en')).toBe('—');
  });

  it('months', () => {
    expect(formatMonth('2026-01', 'zh-CN')).toBe('2026年1月');
    expect(formatMonth('2026-11', 'en')).toBe('Nov 2026');
    expect(lastMonths('2026-02', 6)).toEqual(['2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('formatCoverage', () => {
  it.each([
    [null, '—'],
    [0, '0%'],
    [0.02, '<0.1%'], // a few minutes of three days: not written as 0
    [0.265, '0.2%'],
    [9.99, '9.9%'],
    [42.7, '42%'],
    [99.95, '99%'], // never rounded up to a complete month
    [100, '100%'],
  ] as const)('%s → %s', (pct, text) => expect(formatCoverage(pct, 'zh-CN')).toBe(text));
});

describe('cityTotals', () => {
  it('adds the counts and recomputes the rates from the sums (not an average of rates)', () => {
    const t = cityTotals('2026-11', [
      row('520102', { rate: 100, migrated: 1, denominator: 1, cny: 100, risk: 1, up: 90, down: 10, p1: 1 }),
      row('520103', { rate: 0, migrated: 0, denominator: 9, cny: 50, risk: 2, up: 100, down: 0, p1: 2 }),
      row('gy-hitech'),
    ]);
    expect(t.migrationRatePct).toBe(10); // 1 of 10, not (100 + 0) / 2
    expect(t.availabilityPct).toBe(95); // 190 of 200 minutes
    expect(t).toMatchObject({ migrated: 1, denominator: 10, omAtRisk: 3, omAtRiskCny: 150, p1Incidents: 3 });
  });
  it('null rates when nothing is in scope or scored', () => {
    const t = cityTotals('2026-11', [row('gy-hitech')]);
    expect(t.migrationRatePct).toBeNull();
    expect(t.availabilityPct).toBeNull();
  });
  it('a month with nothing measured has no P1 count and no coverage figure but 0 % (a gap, issue 15 item 13)', () => {
    const t = cityTotals('2026-07', [row('520102', { up: 0, noData: 44_640 }), row('520103', { up: 0, noData: 44_640 })]);
    expect(t.p1Incidents).toBeNull();
    expect(t.availabilityPct).toBeNull();
    expect(t.coveragePct).toBe(0);
  });
  it('states the city coverage: measured minutes of the minutes so far, summed', () => {
    const t = cityTotals('2026-12', [row('520102', { up: 10, noData: 90, p1: 0 }), row('520103', { up: 50, down: 0, noData: 50, p1: 1 })]);
    expect(t.coveragePct).toBe(30); // 60 of 200
    expect(t.p1Incidents).toBe(1);
  });
});
