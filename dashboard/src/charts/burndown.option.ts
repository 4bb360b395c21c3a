import type { ComposeOption } from 'echarts/core';
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import { MESSAGES, type Locale } from '../i18n/messages';
import { formatNumber } from '../format/format';
import type { BurnPoint } from '../sla/sla-model';
import { PALETTES, type ThemeName } from './theme';

export type BurnDownOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TooltipComponentOption>;

const pad = (n: number) => String(n).padStart(2, '0');
/** `11-27` (Beijing) for axis ticks. */
function dayLabel(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * The error budget burn-down: minutes left at the end of each day (one point a day, bounded), the
 * even burn from the whole budget at the month's start to none at its end, and the zero line.
 * Below zero the budget is overspent: the line goes on down, in the critical colour.
 */
export function burnDownOption(input: { points: readonly BurnPoint[]; totalMinutes: number; monthStart: number; monthEnd: number; locale: Locale; theme: ThemeName }): BurnDownOption {
  const { points, totalMinutes, monthStart, monthEnd, locale, theme } = input;
  const pal = PALETTES[theme];
  const m = MESSAGES[locale].sla;
  const overspent = points.length > 0 && points[points.length - 1].left < 0;
  const unit = locale === 'zh-CN' ? ' 分钟' : ' min';
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 28, bottom: 24 },
    legend: { top: 0, right: 0, textStyle: { color: pal.textMuted }, data: [m.budgetLine, m.idealLine] },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => `${formatNumber(Number(v), locale, 1)}${unit}`,
    },
    xAxis: {
      type: 'time',
      min: monthStart,
      max: monthEnd,
      splitNumber: 6,
      axisLabel: { color: pal.textMuted, formatter: (v: number) => dayLabel(v), hideOverlap: true },
      axisLine: { lineStyle: { color: pal.border } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: locale === 'zh-CN' ? '分钟' : 'min',
      nameTextStyle: { color: pal.textMuted },
      axisLabel: { color: pal.textMuted },
      splitLine: { lineStyle: { color: pal.gridLine } },
      // Overspent: down to a round figure below the lowest point, so its label does not crowd 0.
      min: (v: { min: number }) => (v.min >= 0 ? 0 : Math.floor(v.min / 10) * 10),
      max: (v: { max: number }) => Math.max(Math.ceil(totalMinutes), Math.ceil(v.max)),
    },
    series: [
      {
        name: m.budgetLine,
        type: 'line',
        data: points.map((p) => [p.t, Math.round(p.left * 10) / 10]),
        showSymbol: points.length < 40,
        symbolSize: 5,
        lineStyle: { width: 2, color: overspent ? pal.critical : pal.selected },
        itemStyle: { color: overspent ? pal.critical : pal.selected },
        markLine: {
          silent: true,
          symbol: 'none',
          label: { show: false },
          lineStyle: { color: pal.critical, type: 'solid', width: 1 },
          data: [{ yAxis: 0 }],
        },
      },
      {
        name: m.idealLine,
        type: 'line',
        data: [
          [monthStart, Math.round(totalMinutes * 10) / 10],
          [monthEnd, 0],
        ],
        showSymbol: false,
        lineStyle: { width: 1, type: 'dashed', color: pal.textMuted },
        itemStyle: { color: pal.textMuted },
      },
    ],
  };
}
