import { DISTRICTS, MIGRATION_STATES, ZONES, findUnit, type MigrationState } from '@zhuyun/protocol';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption, MapSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GeoComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { CityTotals, ComparisonRow } from '../leader/league';
import { formatCny, formatMonth, formatMonthShort, formatRate } from '../leader/league';
import { formatNumber } from '../format/format';
import { MESSAGES, fill, unitName, unitShortName, type Locale } from '../i18n/messages';
import { ASPECT, GUIYANG_MAP, LAYOUT, REGION_KEY_PROPERTY } from './map.option';
import { PALETTES, type ThemeName } from './theme';

/**
 * Chart options of the leadership view (pure, unit-tested): the Guiyang map coloured by migration
 * rate, migration progress stacked by state, and the city's six-month trend.
 */

export type MigrationMapOption = ComposeOption<MapSeriesOption | ScatterSeriesOption | GeoComponentOption | TooltipComponentOption>;

/** Lower bounds of the rate classes, %: 0–20, 20–40, 40–60, 60–80, 80–100. */
export const RATE_CLASSES = [0, 20, 40, 60, 80] as const;

/**
 * One hue, darker to lighter as the rate grows (a sequential scale: it must not read as the red /
 * green of network status); grey when nothing is in scope. Each label also writes the rate.
 */
export const RATE_COLOURS: Record<ThemeName, { classes: readonly string[]; none: string }> = {
  dark: { classes: ['#1a2f52', '#1d4a7e', '#2469a8', '#2f8bcc', '#5cb8ee'], none: '#3a4254' },
  light: { classes: ['#dbeafe', '#a9cdf5', '#6fa8e6', '#3b82cf', '#1d5fa8'], none: '#e5e7eb' },
};

/** The class index (0–4) of a rate in %, null when there is no rate. */
export function rateClass(pct: number | null | undefined): number | null {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return null;
  let i = 0;
  for (let k = 0; k < RATE_CLASSES.length; k++) if (pct >= RATE_CLASSES[k]) i = k;
  return i;
}

export function rateColour(pct: number | null | undefined, theme: ThemeName): string {
  const c = rateClass(pct);
  return c === null ? RATE_COLOURS[theme].none : RATE_COLOURS[theme].classes[c];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface MigrationMapItem {
  code: string;
  ratePct: number | null;
  tip: string;
}

function migrationTip(row: ComparisonRow | undefined, code: string, locale: Locale): string {
  const m = MESSAGES[locale].leader;
  const unit = findUnit(code)!;
  const colon = locale === 'zh-CN' ? '：' : ': ';
  const mg = row?.migration;
  const lines = [`<div style="font-weight:600">${escapeHtml(unitName(unit, locale))}</div>`];
  if (!mg || mg.denominator === 0) {
    lines.push(`<div>${escapeHtml(m.map.noScope)}</div>`);
  } else {
    lines.push(`<div>${escapeHtml(m.map.rate)}${colon}${formatRate(mg.ratePct, locale)}（${escapeHtml(fill(m.migratedOf, { m: formatNumber(mg.migrated, locale), d: formatNumber(mg.denominator, locale) }))}）</div>`);
    lines.push(`<div>${escapeHtml(m.map.overdue)}${colon}${formatNumber(mg.overdue, locale)}</div>`);
    lines.push(`<div>${escapeHtml(m.risk.title)}${colon}${formatNumber(mg.omAtRisk, locale)} · ${escapeHtml(formatCny(mg.omAtRiskCny, locale))}</div>`);
  }
  return lines.join('');
}

/**
 * The ten districts filled by their migration-rate class and labelled with the rate; zones among
 * the rows as round markers in the same colours. A district with nothing in scope is grey.
 */
export function migrationMapOption(
  rows: readonly ComparisonRow[],
  { locale, theme, compact = false }: { locale: Locale; theme: ThemeName; compact?: boolean },
): MigrationMapOption {
  const pal = PALETTES[theme];
  // A phone (compact): smaller labels, and a label that would overlap another is hidden (the table has every rate).
  const fs = compact ? 10 : 13;
  const byCode = new Map(rows.map((r) => [r.unit, r]));
  const labelText = { color: pal.text, textBorderColor: pal.background, textBorderWidth: 2 };
  const rateOf = (r: ComparisonRow | undefined) => (r?.migration && r.migration.denominator > 0 ? r.migration.ratePct : null);
  const rateText = (pct: number | null) => (pct === null ? '—' : formatRate(pct, locale, 0));

  const districtData = DISTRICTS.map((d) => {
    const r = byCode.get(d.code);
    const pct = rateOf(r);
    return {
      name: unitName(d, locale),
      code: d.code,
      ratePct: pct,
      value: pct ?? undefined,
      tip: migrationTip(r, d.code, locale),
      itemStyle: { areaColor: rateColour(pct, theme), borderColor: pal.background, borderWidth: 1 },
      label: {
        show: true,
        // One line: the centre districts are small and two-line labels overlap there.
        formatter: `{name|${unitShortName(d, locale)}} {rate|${rateText(pct)}}`,
        rich: {
          name: { ...labelText, fontSize: fs, fontWeight: 'bold', lineHeight: fs + 4 },
          rate: { ...labelText, fontSize: fs, lineHeight: fs + 3 },
        },
      },
      emphasis: { itemStyle: { areaColor: pal.selected } },
    } satisfies NonNullable<MapSeriesOption['data']>[number] & MigrationMapItem;
  });

  const zoneData = ZONES.filter((z) => byCode.has(z.code)).map((z) => {
    const r = byCode.get(z.code);
    const pct = rateOf(r);
    return {
      name: unitShortName(z, locale),
      code: z.code,
      ratePct: pct,
      value: [...z.marker!, pct ?? 0] as [number, number, number],
      tip: migrationTip(r, z.code, locale),
      symbol: 'circle',
      symbolSize: compact ? 11 : 16,
      itemStyle: { color: rateColour(pct, theme), borderColor: pal.text, borderWidth: 1.5 },
      label: { show: true, position: 'right' as const, formatter: `${unitShortName(z, locale)} ${rateText(pct)}`, ...labelText, fontSize: compact ? 10 : 12 },
    } satisfies NonNullable<ScatterSeriesOption['data']>[number] & MigrationMapItem;
  });

  return {
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'item',
      backgroundColor: pal.panel,
      borderColor: pal.border,
      textStyle: { color: pal.text, fontSize: 13 },
      formatter: (p) => ((Array.isArray(p) ? p[0] : p)?.data as Partial<MigrationMapItem> | undefined)?.tip ?? '',
    },
    geo: {
      map: GUIYANG_MAP,
      nameProperty: REGION_KEY_PROPERTY,
      roam: false,
      silent: true,
      aspectScale: ASPECT,
      ...LAYOUT,
      itemStyle: { areaColor: 'transparent', borderColor: 'transparent' },
      label: { show: false },
      emphasis: { disabled: true },
      select: { disabled: true },
      tooltip: { show: false },
    },
    series: [
      {
        id: 'migration-districts',
        type: 'map',
        map: GUIYANG_MAP,
        nameProperty: REGION_KEY_PROPERTY,
        nameMap: Object.fromEntries(DISTRICTS.map((d) => [d.code, unitName(d, locale)])),
        roam: false,
        aspectScale: ASPECT,
        ...LAYOUT,
        selectedMode: false,
        showLegendSymbol: false,
        ...(compact ? { labelLayout: { hideOverlap: true } } : {}),
        data: districtData,
      },
      {
        id: 'migration-zones',
        type: 'scatter',
        coordinateSystem: 'geo',
        geoIndex: 0,
        z: 4,
        ...(compact ? { labelLayout: { hideOverlap: true } } : {}),
        data: zoneData,
      },
    ],
  };
}

/** The legend's classes: `0–20%` … `80–100%`, with their colours. */
export function rateLegend(theme: ThemeName, locale: Locale): Array<{ label: string; colour: string }> {
  const classes = RATE_CLASSES.map((lo, i) => ({
    label: `${formatNumber(lo, locale)}–${formatNumber(RATE_CLASSES[i + 1] ?? 100, locale)}%`,
    colour: RATE_COLOURS[theme].classes[i],
  }));
  return [...classes, { label: MESSAGES[locale].leader.map.noScope, colour: RATE_COLOURS[theme].none }];
}

// --- migration progress ----------------------------------------------------------------------

/** The inventory's states in the order of the path (docs/MIGRATION.md), then the side states. */
export { MIGRATION_STATES };
export type MigrationStateKey = MigrationState;

/** Greys for not started, blues for the application steps, ambers for the move, greens when done; side states muted. */
export const STATE_COLOURS: Record<MigrationStateKey, string> = {
  inventoried: '#6b7489',
  assessed: '#8c96a8',
  applied: '#3b6ea8',
  accepted: '#4a86c8',
  verified: '#6aa6e0',
  migrating: '#d99a2b',
  trial: '#f2c14e',
  migrated: '#2fae6b',
  legacy_decommissioned: '#1f7d4c',
  exempt: '#9d7cc9',
  retired: '#5d5470',
  on_hold: '#c0566e',
};

/** GET /api/v1/migration/summary, the part drawn here. */
export interface MigrationSummaryUnit {
  unit: string;
  kind?: 'district' | 'zone';
  counts: Partial<Record<MigrationStateKey, number>>;
  inScope: number;
  denominator: number;
  migrationRate: number | null;
  overdue: number;
  omAtRisk: number;
  omAtRiskYuan: number;
}

export type ProgressOption = ComposeOption<BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

/**
 * Horizontal bars, one per unit (official order, top down), stacked by state in path order; a
 * state nobody is in is left out of the legend. `units` filters and orders the rows (codes).
 */
export function migrationProgressOption(
  summary: readonly MigrationSummaryUnit[],
  units: readonly string[],
  { locale, theme, compact = false }: { locale: Locale; theme: ThemeName; compact?: boolean },
): ProgressOption {
  const pal = PALETTES[theme];
  const m = MESSAGES[locale].leader;
  const byCode = new Map(summary.map((u) => [u.unit, u]));
  const shown = units.filter((c) => byCode.has(c));
  const names = shown.map((c) => unitShortName(findUnit(c)!, locale));
  const used = MIGRATION_STATES.filter((s) => shown.some((c) => (byCode.get(c)!.counts[s] ?? 0) > 0));
  return {
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      backgroundColor: pal.panel,
      borderColor: pal.border,
      textStyle: { color: pal.text, fontSize: 12 },
    },
    // A phone (compact): the legend on one line that scrolls, instead of three lines over the bars.
    legend: {
      ...(compact ? { type: 'scroll' as const } : {}),
      top: 0,
      left: 0,
      right: 0,
      itemWidth: 12,
      itemHeight: 10,
      textStyle: { color: pal.textMuted, fontSize: 11 },
    },
    grid: { left: 8, right: 16, top: compact ? 30 : 48, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: pal.textMuted },
      splitLine: { lineStyle: { color: pal.gridLine } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: names,
      axisLabel: { color: pal.text, fontSize: 12 },
      axisLine: { lineStyle: { color: pal.border } },
    },
    series: used.map((s) => ({
      id: `state-${s}`,
      name: m.states[s],
      type: 'bar' as const,
      stack: 'systems',
      barMaxWidth: 18,
      itemStyle: { color: STATE_COLOURS[s] },
      emphasis: { focus: 'series' as const },
      data: shown.map((c) => byCode.get(c)!.counts[s] ?? 0),
    })),
  };
}

// --- trend ---------------------------------------------------------------------------------------

export type TrendOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

/**
 * The city over the months given (oldest first): migration rate and availability in % on the left
 * axis with the availability's coverage (dotted), P1 incidents on the right. A month that could not
 * be read, or in which nothing was measured (null), is a gap, never a zero.
 */
export function trendOption(months: ReadonlyArray<{ month: string; totals: CityTotals | null }>, { locale, theme }: { locale: Locale; theme: ThemeName }): TrendOption {
  const pal = PALETTES[theme];
  const m = MESSAGES[locale].leader.trend;
  const axisLabel = { color: pal.textMuted, fontSize: 11 };
  return {
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'axis',
      backgroundColor: pal.panel,
      borderColor: pal.border,
      textStyle: { color: pal.text, fontSize: 12 },
      valueFormatter: (v) => (typeof v === 'number' ? formatNumber(v, locale, 2) : '—'),
    },
    legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: pal.textMuted, fontSize: 11 } },
    grid: { left: 8, right: 8, top: 30, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      // Every month labelled; the year only where it starts or changes (narrow panels at 1366 px).
      data: months.map((x, i) => (i === 0 || x.month.endsWith('-01') ? formatMonth(x.month, locale) : formatMonthShort(x.month, locale))),
      axisLabel: { ...axisLabel, interval: 0 },
      axisLine: { lineStyle: { color: pal.border } },
    },
    yAxis: [
      { type: 'value', min: 0, max: 100, axisLabel: { ...axisLabel, formatter: '{value}%' }, splitLine: { lineStyle: { color: pal.gridLine } } },
      { type: 'value', min: 0, minInterval: 1, axisLabel, splitLine: { show: false } },
    ],
    series: [
      {
        id: 'trend-migration',
        name: m.migration,
        type: 'line',
        yAxisIndex: 0,
        connectNulls: false,
        symbolSize: 6,
        lineStyle: { width: 2 },
        itemStyle: { color: pal.series[0] },
        data: months.map((x) => x.totals?.migrationRatePct ?? null),
      },
      {
        id: 'trend-availability',
        name: m.availability,
        type: 'line',
        yAxisIndex: 0,
        connectNulls: false,
        symbolSize: 6,
        itemStyle: { color: pal.status.up },
        data: months.map((x) => x.totals?.availabilityPct ?? null),
      },
      {
        // What the availability rests on: the share of the month's minutes measured (issue 15 item 12).
        id: 'trend-coverage',
        name: m.coverage,
        type: 'line',
        yAxisIndex: 0,
        connectNulls: false,
        symbolSize: 4,
        lineStyle: { width: 1, type: 'dotted' },
        itemStyle: { color: pal.textMuted },
        data: months.map((x) => x.totals?.coveragePct ?? null),
      },
      {
        id: 'trend-p1',
        name: m.p1,
        type: 'line',
        yAxisIndex: 1,
        connectNulls: false,
        symbolSize: 6,
        lineStyle: { type: 'dashed' },
        itemStyle: { color: pal.status.down },
        data: months.map((x) => x.totals?.p1Incidents ?? null),
      },
    ],
  };
}

