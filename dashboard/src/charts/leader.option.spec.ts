import { describe, expect, it } from '@jest/globals';
import { DISTRICTS } from '@zhuyun/protocol';
import type { ComparisonRow } from '../leader/league';
import { GUIYANG_MAP } from './map.option';
import { RATE_COLOURS, migrationMapOption, migrationProgressOption, rateClass, rateColour, rateLegend, trendOption } from './leader.option';

function row(unit: string, ratePct: number | null, denominator = 10): ComparisonRow {
  return {
    unit,
    kind: unit.startsWith('gy-') ? 'zone' : 'district',
    name: { zh: unit, en: unit },
    availability: null,
    coverage: null,
    lowCoverage: false,
    p1Incidents: null,
    mttrMinutes: null,
    migration: { migrated: 1, denominator, ratePct, overdue: 2, omAtRisk: 3, omAtRiskCny: 3_267_000 },
    delta: { availabilityPct: null, p1Incidents: null, mttrMinutes: null, migrationRatePct: null, overdue: null, omAtRisk: null },
  };
}

type Item = { code: string; name: string; ratePct: number | null; tip: string; itemStyle: { areaColor?: string; color?: string }; label: { formatter: string } };
const seriesOf = (opt: { series?: unknown }, id: string) => (opt.series as Array<{ id: string; type: string; map?: string; data: Item[] }>).find((s) => s.id === id)!;

describe('rate classes', () => {
  it.each([
    [0, 0], [19.99, 0], [20, 1], [55, 2], [79.9, 3], [80, 4], [100, 4], [null, null],
  ] as const)('%s%% is class %s', (pct, cls) => expect(rateClass(pct)).toBe(cls));

  it('colours grow along one scale; no rate is grey', () => {
    expect(rateColour(null, 'dark')).toBe(RATE_COLOURS.dark.none);
    expect(new Set([0, 25, 45, 65, 90].map((p) => rateColour(p, 'dark'))).size).toBe(5);
  });

  it('the legend lists the five classes and "nothing in scope"', () => {
    expect(rateLegend('dark', 'zh-CN').map((l) => l.label)).toEqual(['0–20%', '20–40%', '40–60%', '60–80%', '80–100%', '无应迁移系统']);
  });
});

describe('migrationMapOption', () => {
  const rows = [...DISTRICTS.map((d, i) => row(d.code, i * 10)), row('gy-hitech', 55)];

  it('fills the ten districts by migration-rate class and writes the rate in each label', () => {
    const opt = migrationMapOption(rows, { locale: 'zh-CN', theme: 'dark' });
    const map = seriesOf(opt, 'migration-districts');
    expect(map.type).toBe('map');
    expect(map.map).toBe(GUIYANG_MAP);
    expect(map.data.map((d) => d.code)).toEqual(DISTRICTS.map((d) => d.code));
    for (const [i, d] of map.data.entries()) {
      expect(d.ratePct).toBe(i * 10);
      expect(d.itemStyle.areaColor).toBe(rateColour(i * 10, 'dark'));
      expect(d.label.formatter).toContain(`${i * 10}%`);
    }
    expect(map.data[0].tip).toContain('1/10');
    expect(map.data[0].tip).toContain('326.7 万元');
  });

  it('a district with nothing in scope is grey and says so', () => {
    const opt = migrationMapOption([row('520102', null, 0)], { locale: 'en', theme: 'dark' });
    const d = seriesOf(opt, 'migration-districts').data[0];
    expect(d.itemStyle.areaColor).toBe(RATE_COLOURS.dark.none);
    expect(d.tip).toContain('no systems in scope');
    expect(d.label.formatter).toContain('—');
  });

  it('draws zones only when the rows include them', () => {
    expect(seriesOf(migrationMapOption(rows, { locale: 'zh-CN', theme: 'dark' }), 'migration-zones').data.map((z) => z.code)).toEqual(['gy-hitech']);
    expect(seriesOf(migrationMapOption(rows.slice(0, 10), { locale: 'zh-CN', theme: 'dark' }), 'migration-zones').data).toEqual([]);
  });
});

describe('migrationProgressOption', () => {
  it('one bar per unit in the order given, stacked by state in path order; unused states left out', () => {
    const summary = [
      { unit: '520103', counts: { migrated: 2, applied: 1 }, inScope: 3, denominator: 3, migrationRate: 0.66, overdue: 0, omAtRisk: 0, omAtRiskYuan: 0 },
      { unit: '520102', counts: { inventoried: 4, migrated: 1 }, inScope: 5, denominator: 5, migrationRate: 0.2, overdue: 1, omAtRisk: 1, omAtRiskYuan: 10 },
    ];
    const opt = migrationProgressOption(summary, ['520102', '520103', 'gy-hitech'], { locale: 'zh-CN', theme: 'dark' });
    expect((opt.yAxis as { data: string[] }).data).toEqual(['南明', '云岩']);
    const series = opt.series as Array<{ name: string; stack: string; data: number[] }>;
    expect(series.map((s) => s.name)).toEqual(['已登记', '已申请', '已迁移']);
    expect(series.every((s) => s.stack === 'systems')).toBe(true);
    expect(series.find((s) => s.name === '已迁移')!.data).toEqual([1, 2]);
  });

  it('on a phone the legend is one scrolling line above the bars, not three lines over them (issue 15 item 15)', () => {
    const summary = [{ unit: '520102', counts: { inventoried: 4, migrated: 1 }, inScope: 5, denominator: 5, migrationRate: 0.2, overdue: 1, omAtRisk: 1, omAtRiskYuan: 10 }];
    const wide = migrationProgressOption(summary, ['520102'], { locale: 'zh-CN', theme: 'dark' });
    const narrow = migrationProgressOption(summary, ['520102'], { locale: 'zh-CN', theme: 'dark', compact: true });
    expect((wide.legend as { type?: string }).type).toBeUndefined();
    expect((narrow.legend as { type?: string }).type).toBe('scroll');
    expect((narrow.grid as { top: number }).top).toBeLessThan((wide.grid as { top: number }).top);
  });
});

describe('migrationMapOption on a phone (issue 15 item 15)', () => {
  it('uses smaller labels, the rate under the name, and hides labels that would overlap', () => {
    const rows = DISTRICTS.map((d, i) => row(d.code, i * 10));
    const wide = migrationMapOption(rows, { locale: 'zh-CN', theme: 'dark' });
    const narrow = migrationMapOption(rows, { locale: 'zh-CN', theme: 'dark', compact: true });
    const mapOf = (o: typeof wide) => (o.series as Array<{ id: string; labelLayout?: { hideOverlap?: boolean }; data: Array<{ label: { rich: { name: { fontSize: number } } } }> }>)[0];
    expect(mapOf(wide).labelLayout).toBeUndefined();
    expect(mapOf(narrow).labelLayout).toEqual({ hideOverlap: true });
    expect(mapOf(narrow).data[0].label.rich.name.fontSize).toBeLessThanOrEqual(11);
    expect(mapOf(wide).data[0].label.rich.name.fontSize).toBe(13);
  });
});

describe('trendOption', () => {
  it('writes the year on the first month and where it changes', () => {
    const months = ['2025-11', '2025-12', '2026-01', '2026-02'].map((month) => ({ month, totals: null }));
    expect((trendOption(months, { locale: 'en', theme: 'dark' }).xAxis as { data: string[] }).data).toEqual(['Nov 2025', 'Dec', 'Jan 2026', 'Feb']);
  });

  it('months oldest first, a month not read is a gap (null), not a zero', () => {
    const totals = { month: '2026-11', migrationRatePct: 20, availabilityPct: 99.9, coveragePct: 95, p1Incidents: 2, migrated: 2, denominator: 10, overdue: 0, omAtRisk: 0, omAtRiskCny: 0 };
    const opt = trendOption(
      [
        { month: '2026-10', totals: null },
        { month: '2026-11', totals },
      ],
      { locale: 'zh-CN', theme: 'dark' },
    );
    expect((opt.xAxis as { data: string[] }).data).toEqual(['2026年10月', '11月']);
    const series = opt.series as Array<{ id: string; data: Array<number | null>; yAxisIndex: number }>;
    expect(series.find((s) => s.id === 'trend-migration')!.data).toEqual([null, 20]);
    expect(series.find((s) => s.id === 'trend-p1')!).toMatchObject({ data: [null, 2], yAxisIndex: 1 });
  });

  it('a month read but with nothing measured is a gap in availability and P1, and coverage is drawn beside availability (items 12, 13)', () => {
    const base = { migrationRatePct: 20, migrated: 2, denominator: 10, overdue: 0, omAtRisk: 0, omAtRiskCny: 0 };
    const opt = trendOption(
      [
        { month: '2026-07', totals: { ...base, month: '2026-07', availabilityPct: null, coveragePct: 0, p1Incidents: null } },
        { month: '2026-08', totals: { ...base, month: '2026-08', availabilityPct: 99.5, coveragePct: 42.5, p1Incidents: 0 } },
      ],
      { locale: 'zh-CN', theme: 'dark' },
    );
    const series = opt.series as Array<{ id: string; name: string; data: Array<number | null>; yAxisIndex: number }>;
    expect(series.find((s) => s.id === 'trend-p1')!.data).toEqual([null, 0]);
    expect(series.find((s) => s.id === 'trend-availability')!.data).toEqual([null, 99.5]);
    expect(series.find((s) => s.id === 'trend-coverage')!).toMatchObject({ name: '可用率覆盖率', data: [0, 42.5], yAxisIndex: 0 });
  });
});
