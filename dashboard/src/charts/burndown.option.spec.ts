import { describe, expect, it } from '@jest/globals';
import { burnDownOption } from './burndown.option';
import { PALETTES } from './theme';

describe('burn-down option', () => {
  const base = { totalMinutes: 43.2, monthStart: 0, monthEnd: 30 * 86_400_000, theme: 'dark' as const };

  it('draws budget left and the even burn, in the language', () => {
    const o = burnDownOption({ ...base, locale: 'zh-CN', points: [{ t: 0, left: 43.2 }, { t: 86_400_000, left: 33.24 }] });
    const series = o.series as Array<{ name: string; data: unknown[]; lineStyle: { color: string } }>;
    expect(series.map((s) => s.name)).toEqual(['剩余预算', '匀速消耗']);
    expect(series[0].data).toEqual([[0, 43.2], [86_400_000, 33.2]]);
    expect(series[1].data).toEqual([[0, 43.2], [30 * 86_400_000, 0]]);
    expect(series[0].lineStyle.color).toBe(PALETTES.dark.selected);
  });

  it('turns the line critical when the budget is overspent', () => {
    const o = burnDownOption({ ...base, locale: 'en', points: [{ t: 0, left: 43.2 }, { t: 86_400_000, left: -6.8 }] });
    const series = o.series as Array<{ name: string; lineStyle: { color: string } }>;
    expect(series[0].name).toBe('Budget left');
    expect(series[0].lineStyle.color).toBe(PALETTES.dark.critical);
  });
});
