/** The tree series, for the topology view only (its chunk, not the first view's): see echarts.ts. */
import { TreeChart } from 'echarts/charts';
import { use } from './echarts';

use([TreeChart]);
