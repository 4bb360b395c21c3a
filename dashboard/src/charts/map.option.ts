import { DISTRICTS, ZONES, findUnit, type NodeStatus, type UnitSummary } from '@zhuyun/protocol';
import type { ComposeOption } from 'echarts/core';
import type { EffectScatterSeriesOption, MapSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GeoComponentOption, TooltipComponentOption } from 'echarts/components';
import { MESSAGES, unitName, unitShortName, type Locale } from '../i18n/messages';
import { formatMs, formatNumber, formatPct } from '../format/format';
import { levelLines } from '../live/unit-order';
import { STATUS_SHAPE } from './status';
import { PALETTES, type ThemeName } from './theme';

/** The name the Guiyang GeoJSON is registered under (GuiyangMap.vue, map/guiyang-geo.ts). */
export const GUIYANG_MAP = 'guiyang';
/** The GeoJSON property regions are keyed by: the district code as a string (see guiyang-geo.ts). */
export const REGION_KEY_PROPERTY = 'code';

export type MapOption = ComposeOption<MapSeriesOption | ScatterSeriesOption | EffectScatterSeriesOption | GeoComponentOption | TooltipComponentOption>;

export interface MapOptionInput {
  locale: Locale;
  theme: ThemeName;
  /** Code of the district or zone shown in the latency chart, outlined on the map. */
  selected?: string | null;
  /** Multiplies label and marker sizes (a wall screen's map is larger than a laptop's). Default 1. */
  labelScale?: number;
}

/** What every map data item carries besides ECharts' own fields: the code for clicks, the tooltip. */
export interface MapItemExtra {
  code: string;
  status: NodeStatus;
  /** Tooltip body (HTML, escaped). */
  tip: string;
}

/** Same box for the visible map series and the hidden geo the zone markers sit on, so they align. */
export const LAYOUT = { left: 16, right: 16, top: 16, bottom: 16 } as const;
/** Width/height scale for Guiyang's latitude (≈ 26.6° N): cos(26.6°). ECharts' default 0.75 suits 36° N. */
export const ASPECT = 0.894;
/** Zone labels placed off the district labels near them (see LABEL_ANCHORS in guiyang-geo.ts). */
const ZONE_LABEL_POSITION: Record<string, 'right' | 'bottom' | 'left' | 'top'> = {
  'gy-hitech': 'bottom',
  'gy-etdz': 'bottom',
  'gy-bonded': 'right',
  'gy-shuanglong': 'right',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function unknownSummary(code: string): UnitSummary {
  return { code, status: 'unknown', counts: { up: 0, degraded: 0, down: 0, unknown: 0 }, latencyMs: null, lossPct: null };
}

/**
 * Whether a label spells its status out: down, degraded, and unknown when the unit has nodes (they
 * went silent). Up, and a unit nobody reports for yet, show only the shape: the centre districts
 * are small and a word on every one of them would cover the map. The tooltip always has the word.
 */
function speaks(s: UnitSummary): boolean {
  if (s.status === 'down' || s.status === 'degraded') return true;
  return s.status === 'unknown' && s.counts.up + s.counts.degraded + s.counts.down + s.counts.unknown > 0;
}

function tooltipHtml(summary: UnitSummary, locale: Locale, theme: ThemeName): string {
  const m = MESSAGES[locale];
  const pal = PALETTES[theme];
  const unit = findUnit(summary.code)!;
  const shape = STATUS_SHAPE[summary.status];
  const c = summary.counts;
  const nodes = c.up + c.degraded + c.down + c.unknown;
  // Chinese punctuation is full width; English takes ASCII.
  const [colon, open, close] = locale === 'zh-CN' ? ['：', '（', '）'] : [': ', ' (', ')'];
  const row = (k: string, v: string) => `<div>${escapeHtml(k)}${colon}${escapeHtml(v)}</div>`;
  const lines = [
    `<div style="font-weight:600">${escapeHtml(unitName(unit, locale))} <span style="opacity:.7">${escapeHtml(unit.kind === 'zone' ? m.map.zone : m.map.district)}</span></div>`,
    `<div>${escapeHtml(m.map.status)}${colon}<span style="color:${pal.status[summary.status]}">${shape.glyph}</span> ${escapeHtml(m.status[summary.status])}</div>`,
  ];
  if (unit.hostDistrict) lines.push(row(m.map.hostDistrict, unitName(findUnit(unit.hostDistrict)!, locale)));
  lines.push(
    row(
      m.map.nodes,
      `${formatNumber(nodes, locale)}${open}${(['up', 'degraded', 'down', 'unknown'] as const).map((s) => `${m.status[s]} ${formatNumber(c[s], locale)}`).join(' · ')}${close}`,
    ),
  );
  // Per level (the city fleet's core, townships, villages, departments), with what is wrong there.
  for (const l of levelLines(summary)) {
    const bad = [
      ...(l.down ? [`${m.status.down} ${formatNumber(l.down, locale)}`] : []),
      ...(l.degraded ? [`${m.status.degraded} ${formatNumber(l.degraded, locale)}`] : []),
    ];
    lines.push(
      `<div data-level="${l.level}" style="padding-left:1em">${escapeHtml(m.map.level[l.level])}${colon}${formatNumber(l.total, locale)}` +
        (bad.length ? `${open}<span style="color:${pal.status[l.down ? 'down' : 'degraded']}">${escapeHtml(bad.join(' · '))}</span>${close}` : '') +
        '</div>',
    );
  }
  if (summary.stale) lines.push(row(m.map.stale, formatNumber(summary.stale, locale)));
  lines.push(row(m.map.latency, summary.latencyMs === null ? m.kpi.noValue : `${formatMs(summary.latencyMs, locale)} ms`));
  lines.push(row(m.map.loss, summary.lossPct === null ? m.kpi.noValue : `${formatPct(summary.lossPct, locale)} %`));
  return lines.join('');
}

/**
 * The overview map: the ten districts as a map series filled by status (areaColor), labelled with
 * their name and the status as a shape and a word; the four zones of Article 9 as markers on a geo
 * with the same layout, shaped and coloured by status and labelled with their short name. Zones that
 * are down or degraded also pulse (effectScatter) so a small marker is not missed on a wall screen.
 * Pure: the GeoJSON is registered by the component under GUIYANG_MAP.
 */
export function mapOption(units: readonly UnitSummary[], { locale, theme, selected = null, labelScale = 1 }: MapOptionInput): MapOption {
  const m = MESSAGES[locale];
  const pal = PALETTES[theme];
  const byCode = new Map(units.map((u) => [u.code, u]));
  const summary = (code: string) => byCode.get(code) ?? unknownSummary(code);
  const labelText = { color: pal.text, textBorderColor: pal.background, textBorderWidth: 2 };
  const px = (n: number) => Math.round(n * labelScale);

  const districtData: Array<NonNullable<MapSeriesOption['data']>[number] & MapItemExtra> = DISTRICTS.map((d) => {
    const s = summary(d.code);
    const isSelected = d.code === selected;
    const name = unitName(d, locale);
    return {
      name,
      code: d.code,
      status: s.status,
      value: s.latencyMs ?? undefined,
      tip: tooltipHtml(s, locale, theme),
      itemStyle: {
        areaColor: pal.area[s.status],
        borderColor: isSelected ? pal.selected : pal.background,
        borderWidth: isSelected ? 3 : 1,
      },
      label: {
        show: true,
        // Rich text: the status shape, the short name (the centre districts are small), and the
        // status word under it when there is trouble (speaks): it reads at a glance, the rest stays quiet.
        formatter:
          `{glyph|${STATUS_SHAPE[s.status].glyph}} {name|${unitShortName(d, locale)}}` +
          (speaks(s) ? `\n{status|${m.status[s.status]}}` : ''),
        rich: {
          glyph: { ...labelText, color: pal.status[s.status], fontSize: px(12) },
          name: { ...labelText, fontSize: px(14), fontWeight: 'bold', lineHeight: px(18) },
          status: { ...labelText, color: pal.status[s.status], fontSize: px(12), fontWeight: 'bold', lineHeight: px(16) },
        },
      },
      emphasis: { itemStyle: { areaColor: pal.status[s.status] } },
    };
  });

  const zoneData = ZONES.map((z) => {
    const s = summary(z.code);
    const isSelected = z.code === selected;
    const shape = STATUS_SHAPE[s.status];
    return {
      name: unitShortName(z, locale),
      code: z.code,
      status: s.status,
      value: [...z.marker!, s.latencyMs ?? 0] as [number, number, number],
      tip: tooltipHtml(s, locale, theme),
      symbol: shape.symbol,
      symbolSize: px(isSelected ? 20 : 15),
      itemStyle: {
        color: pal.status[s.status],
        borderColor: isSelected ? pal.selected : pal.background,
        borderWidth: isSelected ? 3 : 1.5,
      },
      label: {
        show: true,
        position: ZONE_LABEL_POSITION[z.code] ?? 'right',
        formatter: speaks(s) ? `${unitShortName(z, locale)} ${m.status[s.status]}` : unitShortName(z, locale),
        ...labelText,
        fontSize: px(12),
      },
    } satisfies NonNullable<ScatterSeriesOption['data']>[number] & MapItemExtra;
  });
  const alerting = zoneData.filter((z) => z.status === 'down' || z.status === 'degraded');

  const nameMap = Object.fromEntries(DISTRICTS.map((d) => [d.code, unitName(d, locale)]));

  return {
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'item',
      backgroundColor: pal.panel,
      borderColor: pal.border,
      textStyle: { color: pal.text, fontSize: px(13) },
      formatter: (p) => {
        const item = (Array.isArray(p) ? p[0] : p)?.data as Partial<MapItemExtra> | undefined;
        return item?.tip ?? '';
      },
    },
    // Hidden: only the coordinate system of the zone markers. Same map, box and aspect as the series.
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
        id: 'districts',
        type: 'map',
        map: GUIYANG_MAP,
        nameProperty: REGION_KEY_PROPERTY,
        nameMap,
        roam: false,
        aspectScale: ASPECT,
        ...LAYOUT,
        selectedMode: false,
        showLegendSymbol: false,
        data: districtData,
      },
      {
        id: 'zones',
        type: 'scatter',
        coordinateSystem: 'geo',
        geoIndex: 0,
        z: 4,
        data: zoneData,
      },
      {
        id: 'zones-alert',
        type: 'effectScatter',
        coordinateSystem: 'geo',
        geoIndex: 0,
        z: 3,
        silent: true,
        rippleEffect: { brushType: 'stroke', scale: 3, period: 3 },
        showEffectOn: 'render',
        data: alerting.map((z) => ({
          name: z.name,
          value: z.value,
          symbol: z.symbol,
          symbolSize: z.symbolSize,
          itemStyle: { color: pal.status[z.status] },
          label: { show: false },
        })),
        tooltip: { show: false },
      },
    ],
  };
}

/** The names in the map series' data, in order: what a browser test compares with the districts. */
export function mapRegionNames(option: { series?: unknown }): string[] {
  const series = (Array.isArray(option.series) ? option.series : [option.series]) as Array<{ type?: string; data?: Array<{ name?: string }> }>;
  return series.filter((s) => s?.type === 'map').flatMap((s) => (s.data ?? []).map((d) => d.name ?? ''));
}
