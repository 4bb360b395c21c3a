import { onBeforeUnmount, onMounted, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { init, type ECharts } from '../charts/echarts';
import { noteChartDispose, noteChartInit } from '../test-hooks';

export interface EChartHandle {
  /** In a shallowRef: ECharts must not be made deeply reactive. Null before mount and after unmount. */
  chart: ShallowRef<ECharts | null>;
  /** The element's size in CSS pixels, kept up to date (labels may scale with it). */
  size: Readonly<Ref<{ width: number; height: number }>>;
}

/**
 * An ECharts instance on `el` for the component's lifetime: created on mount (canvas), resized with
 * its box, disposed on unmount.
 */
export function useEChart(el: Ref<HTMLElement | null>): EChartHandle {
  const chart = shallowRef<ECharts | null>(null);
  const size = ref({ width: 0, height: 0 });
  let observer: ResizeObserver | undefined;
  onMounted(() => {
    const box = el.value;
    if (!box) return;
    const c = init(box, null, { renderer: 'canvas' });
    noteChartInit();
    chart.value = c;
    size.value = { width: box.clientWidth, height: box.clientHeight };
    observer = new ResizeObserver(() => {
      c.resize();
      size.value = { width: box.clientWidth, height: box.clientHeight };
    });
    observer.observe(box);
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    if (chart.value) {
      chart.value.dispose();
      noteChartDispose();
    }
    chart.value = null;
  });
  return { chart, size };
}
