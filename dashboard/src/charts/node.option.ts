import type { ComposeOption } from 'echarts/core';
import type { DataZoomComponentOption } from 'echarts/components';
import { latencyOption, type LatencyOption, type LatencyOptionInput, type NodeSeries } from './latency.option';
import { PALETTES } from './theme';

export type NodeMetricOption = ComposeOption<DataZoomComponentOption> & LatencyOption;

/**
 * One metric of one node over a chosen range (the node page): the drill-down's line chart
 * (`latencyOption`: gaps where the node was silent, thresholds, LTTB) over [from, to], with zoom —
 * the mouse wheel or a pinch inside the chart, and a slider under it. The zoom is kept by ECharts
 * across redraws of the same range (the option sets no `start`/`end` of its own).
 */
export function nodeMetricOption(series: readonly NodeSeries[], input: LatencyOptionInput & { from: number; to: number }): NodeMetricOption {
  const { from, to, ...rest } = input;
  const base = latencyOption(series, { ...rest, now: to, windowMs: to - from });
  const pal = PALETTES[input.theme];
  return {
    ...base,
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
        brushSelect: false,
      },
    ],
  };
}
