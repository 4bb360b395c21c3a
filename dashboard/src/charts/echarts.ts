/**
 * The only place ECharts is loaded: `echarts/core` with just the parts the dashboard draws
 * (TOOLCHAIN: tree-shaken core is less than half of the full bundle). Add a part here when a chart
 * needs it; option builders import types only, so unit tests never load ECharts.
 */
import { BarChart, EffectScatterChart, LineChart, MapChart, ScatterChart, TreeChart } from 'echarts/charts';
import { DataZoomComponent, GeoComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { init, registerMap, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([
  MapChart,
  BarChart,
  ScatterChart,
  EffectScatterChart,
  LineChart,
  TreeChart,
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export { init, registerMap };
export type { ECharts, EChartsCoreOption, SetOptionOpts } from 'echarts/core';
