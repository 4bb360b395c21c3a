/** The data-zoom component, for the node page only (its chunk, not the first view's): see echarts.ts. */
import { DataZoomComponent } from 'echarts/components';
import { use } from './echarts';

use([DataZoomComponent]);
