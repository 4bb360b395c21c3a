import { DEFAULT_THRESHOLDS, type Threshold } from '@zhuyun/protocol';
import type { ComposeOption } from 'echarts/core';
import type { LineSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import { MESSAGES, fill, type Locale } from '../i18n/messages';
import { formatHourMinute, formatMs, formatTimeOfDay } from '../format/format';
import { PALETTES, type ThemeName } from './theme';

export type LatencyOption = ComposeOption<LineSeriesOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TooltipComponentOption>;

/** One node's latency points, oldest first: [epoch ms, ms]. */
export interface NodeSeries {
  node: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Lines with a lower rank come first in the legend (a district's median, p95, worst before its nodes); default 10, then by name. */
  rank?: number;
  /** Line width; default 1.5. */
  width?: number;
  dashed?: boolean;
}

export interface LatencyOptionInput {
  locale: Locale;
  theme: ThemeName;
  /** Right edge of the window, epoch ms (the chart's clock). Default: the newest point. */
  now?: number;
  /** Width of the window; points older than now - windowMs are left out. Default 15 minutes. */
  windowMs?: number;
  /** Default: DESIGN's net.latency_ms thresholds (20 / 50 ms); null: no threshold lines. */
  threshold?: Pick<Threshold, 'warning' | 'critical'> | null;
  /**
   * A value with its unit, for tooltips and threshold labels (another metric than latency).
   * Default: milliseconds.
   */
  formatValue?: (v: number) => string;
  /** Y axis tick labels. Default: the number as ECharts writes it. */
  formatAxis?: (v: number) => string;
  /** Multiplies the text sizes (the wall screen reads from across the room). Default 1. */
  textScale?: number;
}

export const LATENCY_WINDOW_MS = 15 * 60_000;
/** At most this many points per series are handed to ECharts (it also samples with LTTB). */
export const MAX_POINTS_PER_SERIES = 2_000;

export const LATENCY_THRESHOLD = DEFAULT_THRESHOLDS.find((t) => t.metric === 'net.latency_ms')!;

/** A silence longer than this many usual intervals breaks a line (no data is not a straight line). */
const GAP_FACTOR = 3;
/** ...and never shorter than this, so jitter in a fast probe's timing does not break it. */
const MIN_GAP_MS = 15_000;

/**
 * The points with a break (`[ts, null]`, which ECharts draws as a gap) wherever the time since the
 * previous point is more than GAP_FACTOR times the series' median interval: the node was down or
 * silent there, and a line drawn across would claim values nobody measured.
 */
export function withGaps(points: ReadonlyArray<readonly [number, number]>): Array<[number, number | null]> {
  if (points.length < 3) return points.map((p) => [p[0], p[1]]);
  const steps = points.slice(1).map((p, i) => p[0] - points[i][0]).sort((a, b) => a - b);
  const limit = Math.max(MIN_GAP_MS, GAP_FACTOR * steps[Math.floor(steps.length / 2)]);
  const out: Array<[number, number | null]> = [[points[0][0], points[0][1]]];
  for (let i = 1; i < points.length; i++) {
    if (points[i][0] - points[i - 1][0] > limit) out.push([points[i - 1][0] + 1, null]);
    out.push([points[i][0], points[i][1]]);
  }
  return out;
}

/** The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n) at or above `v` > 0: an axis top the ticks divide evenly. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8]) if (f * p >= v - 1e-9 * p) return +(f * p).toPrecision(12);
  return 10 * p;
}

/**
 * Live latency per node of one district on a time axis: one line per node over a bounded window,
 * LTTB sampling, no symbols, and the warning / critical thresholds as dashed mark lines on a series
 * of their own (so they show even before any node reports). The y axis always reaches above the
 * critical line, so the thresholds stay in view when all is well.
 */
export function latencyOption(
  series: readonly NodeSeries[],
  { locale, theme, now, windowMs = LATENCY_WINDOW_MS, threshold = LATENCY_THRESHOLD, formatValue, formatAxis, textScale = 1 }: LatencyOptionInput,
): LatencyOption {
  const fs = (n: number) => Math.round(n * textScale);
  const m = MESSAGES[locale];
  const pal = PALETTES[theme];
  const newest = Math.max(0, ...series.map((s) => (s.points.length ? s.points[s.points.length - 1][0] : 0)));
  const end = now ?? newest;
  const start = end - windowMs;
  const nodes = [...series].sort((a, b) => (a.rank ?? 10) - (b.rank ?? 10) || a.node.localeCompare(b.node));

  const lines: LineSeriesOption[] = nodes.map((s, i) => {
    const inWindow = s.points.filter((p) => p[0] >= start && p[0] <= end);
    const points = inWindow.length > MAX_POINTS_PER_SERIES ? inWindow.slice(inWindow.length - MAX_POINTS_PER_SERIES) : inWindow;
    return {
      id: `node:${s.node}`,
      name: s.node,
      type: 'line',
      showSymbol: false,
      sampling: 'lttb',
      animation: false,
      connectNulls: false,
      lineStyle: { width: s.width ?? 1.5, ...(s.dashed ? { type: 'dashed' as const } : {}) },
      color: pal.series[i % pal.series.length],
      emphasis: { focus: 'series' },
      data: withGaps(points),
    };
  });

  const thresholdLabel = (which: 'warning' | 'critical', v: number) =>
    formatValue ? fill(m.chart[which], { v: formatValue(v) }) : fill(m.latency[which], { v });
  const thresholdSeries: LineSeriesOption | null = threshold && {
    id: 'thresholds',
    name: m.latency.thresholds,
    type: 'line',
    data: [],
    silent: true,
    markLine: {
      silent: true,
      symbol: 'none',
      animation: false,
      label: { position: 'insideEndTop', color: pal.textMuted, fontSize: fs(11) },
      data: [
        {
          name: 'warning',
          yAxis: threshold.warning,
          lineStyle: { color: pal.warning, type: 'dashed', width: 1 },
          // At the start: when the axis grows far above both lines (a loss of 100 %), the two labels
          // would sit on each other at the end.
          label: { formatter: thresholdLabel('warning', threshold.warning), color: pal.warning, position: 'insideStartTop' },
        },
        {
          name: 'critical',
          yAxis: threshold.critical,
          lineStyle: { color: pal.critical, type: 'dashed', width: 1 },
          label: { formatter: thresholdLabel('critical', threshold.critical), color: pal.critical },
        },
      ],
    },
  };

  const headroom = threshold ? threshold.critical * 1.2 : 0;
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: pal.text },
    grid: { left: 8, right: 16, top: fs(32), bottom: 8 },
    legend: {
      type: 'scroll',
      top: 0,
      left: 0,
      right: 0,
      data: nodes.map((s) => s.node),
      textStyle: { color: pal.textMuted, fontSize: fs(12) },
      pageTextStyle: { color: pal.textMuted },
      icon: 'roundRect',
      itemWidth: fs(12),
      itemHeight: 4,
    },
    tooltip: {
      trigger: 'axis',
      backgroundColor: pal.panel,
      borderColor: pal.border,
      textStyle: { color: pal.text, fontSize: 12 },
      valueFormatter: (v) => (typeof v === 'number' ? (formatValue ? formatValue(v) : `${formatMs(v, locale)} ms`) : String(v ?? '')),
      axisPointer: { type: 'line', label: { formatter: (p) => formatTimeOfDay(Number(p.value)) } },
    },
    xAxis: {
      type: 'time',
      min: start,
      max: end,
      axisLabel: { color: pal.textMuted, fontSize: fs(12), formatter: (v: number) => formatHourMinute(v), hideOverlap: true },
      axisLine: { lineStyle: { color: pal.border } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      // Keep the critical line in view when every node is fast; round up so the top tick is even.
      max: (extent: { max: number }) => niceCeil(Number.isFinite(extent.max) ? Math.max(extent.max, headroom) : headroom),
      // A unit formatter (bps) counts whole units: without this an empty chart's 0–1 axis got ticks
      // at 0.2 steps, each rounded to the same label ("1 bps 1 bps 1 bps 0 bps").
      ...(formatAxis ? { minInterval: 1 } : {}),
      axisLabel: formatAxis ? { color: pal.textMuted, fontSize: fs(12), formatter: (v: number) => formatAxis(v) } : { color: pal.textMuted, fontSize: fs(12) },
      splitLine: { lineStyle: { color: pal.gridLine } },
    },
    series: thresholdSeries ? [...lines, thresholdSeries] : lines,
  };
}
