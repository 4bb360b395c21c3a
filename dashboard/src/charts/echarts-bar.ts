/** The bar series, for the leadership views only (their chunks, not the first view's): see echarts.ts. */
import { BarChart } from 'echarts/charts';
import { use } from './echarts';

use([BarChart]);
