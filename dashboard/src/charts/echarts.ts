/**
 * The only place ECharts is loaded: `echarts/core` with just the parts the dashboard draws
 * (TOOLCHAIN: tree-shaken core is less than half of the full bundle). Add a part here when a chart
 * needs it; option builders import types only, so unit tests never load ECharts.
 * Here: what the first view (the overview: map, zone markers, latency lines) and the district
 * and SLA pages draw. A part only a later view draws is registered by that view's own chunk
 * (echarts-tree.ts: topology; echarts-bar.ts: leadership; echarts-zoom.ts: the node page), so the first view does not ship it.
 */
import { EffectScatterChart, LineChart, MapChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { init, registerMap, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([MapChart, ScatterChart, EffectScatterChart, LineChart, GeoComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export { init, registerMap, use };
export type { ECharts, EChartsCoreOption, SetOptionOpts } from 'echarts/core';
