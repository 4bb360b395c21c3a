import { BEIJING_OFFSET_MS } from '@zhuyun/protocol';
import type { ComposeOption } from 'echarts/core';
import type { DataZoomComponentOption } from 'echarts/components';
import { latencyOption, type LatencyOption, type LatencyOptionInput, type NodeSeries } from './latency.option';
import { PALETTES } from './theme';

/** Past this span the axis names days: a 7- or 30-day chart of `00:00` ticks says nothing. */
export const DATE_AXIS_ABOVE_MS = 36 * 3_600_000;

/** `12-03` at a Beijing midnight, else `12-03 14:00` (Beijing time); `withSeconds` for the tooltip. */
export function formatDayTick(ms: number, withSeconds = false): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  if (withSeconds) return `${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return d.getUTCHours() === 0 && d.getUTCMinutes() === 0 ? day : `${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

export type NodeMetricOption = ComposeOption<DataZoomComponentOption> & LatencyOption;

/**
 * One metric of one node over a chosen range (the node page): the drill-down's line chart
 * (`latencyOption`: gaps where the node was silent, thresholds, LTTB) over [from, to], with zoom —
 * the mouse wheel or a pinch inside the chart, and a slider under it. The zoom is kept by ECharts
 * across redraws of the same range (the option sets no `start`/`end` of its own). Past 36 hours the
 * axis and the tooltip name the day (Beijing time).
 */
export function nodeMetricOption(series: readonly NodeSeries[], input: LatencyOptionInput & { from: number; to: number }): NodeMetricOption {
  const { from, to, ...rest } = input;
  const base = latencyOption(series, { ...rest, now: to, windowMs: to - from });
  const pal = PALETTES[input.theme];
  const long = to - from > DATE_AXIS_ABOVE_MS;
  const xAxis = base.xAxis as { axisLabel: object };
  const tooltip = base.tooltip as { axisPointer: { label: object } };
  return {
    ...base,
    ...(long
      ? {
          xAxis: { ...xAxis, axisLabel: { ...xAxis.axisLabel, formatter: (v: number) => formatDayTick(v) } },
          tooltip: { ...tooltip, axisPointer: { ...tooltip.axisPointer, label: { formatter: (p: { value: unknown }) => formatDayTick(Number(p.value), true) } } },
        }
      : {}),
    grid: { ...(base.grid as object), bottom: 44 },
    dataZoom: [
      { id: 'zoom-inside', type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      {
        id: 'zoom-slider',
        type: 'slider',
        xAxisIndex: 0,
        filterMode: 'none',
        height: 18,
        bottom: 6,
        borderColor: pal.border,
        textStyle: { color: pal.textMuted },
        labelFormatter: '',
        showDetail: false,
        // The shadow is drawn from the raw data, gaps joined: it would show lines the chart does not.
        showDataShadow: false,
        brushSelect: false,
      },
    ],
  };
}
