import type { DistrictData } from '@zhuyun/protocol';
import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue';
import { LATENCY_WINDOW_MS, type NodeSeries } from '../charts/latency.option';
import { LATENCY_METRIC, LatencyBuffers } from './latency-buffers';
import { chartPublishMs, noteChartPublish } from '../test-hooks';
import { useLiveTopic, type LiveTopic } from './useLiveTopic';
import { useSeries, type SeriesQuery } from './useSeries';

export interface LatencyFeed {
  /** Per node, oldest first, inside the window; replaced at most once per `intervalMs`. */
  series: Readonly<ShallowRef<NodeSeries[]>>;
  /** Right edge of the window, epoch ms, moved with `series`. */
  now: Readonly<Ref<number>>;
  historyLoading: Readonly<Ref<boolean>>;
  historyError: Readonly<Ref<string | null>>;
  live: LiveTopic<DistrictData>;
}

/**
 * Latency of the nodes of one district or zone: the last `windowMs` of history from
 * /api/v1/series, then live values from topic `district:<code>`, held in bounded buffers. The
 * series are published on a timer, so a chart using them redraws at most once per `intervalMs`
 * however fast frames come, and its window keeps sliding when they do not.
 */
export function useLatencyFeed(code: MaybeRefOrGetter<string | null>, { windowMs = LATENCY_WINDOW_MS, intervalMs = chartPublishMs() } = {}): LatencyFeed {
  const series = shallowRef<NodeSeries[]>([]);
  const now = ref(Date.now());
  const historyQuery = shallowRef<SeriesQuery | null>(null);
  const history = useSeries(historyQuery);
  const live = useLiveTopic<DistrictData>(() => {
    const c = toValue(code);
    return c ? `district:${c}` : null;
  });
  let buffers: LatencyBuffers | null = null;

  function publish() {
    noteChartPublish();
    const t = Date.now();
    const current = buffers?.series() ?? [];
    // Points carry server time: never cut off the newest because this clock is a little behind.
    const newest = Math.max(0, ...current.map((s) => s.points.at(-1)?.[0] ?? 0));
    const end = Math.max(t, newest);
    buffers?.trim(end - windowMs);
    now.value = end;
    series.value = buffers?.series() ?? [];
  }

  watch(
    () => toValue(code),
    (c) => {
      buffers = c ? new LatencyBuffers(c) : null;
      const t = Date.now();
      historyQuery.value = c ? { metric: LATENCY_METRIC, district: c, from: t - windowMs, to: t } : null;
      publish(); // empty at once, so the previous district's lines never show under the new name
    },
    { immediate: true },
  );
  watch(history.data, (resp) => {
    if (resp && buffers) buffers.addHistory(resp);
  });
  // sync: every frame lands in the buffers, even several delivered in one task (long-polling
  // hands a batch of packets over at once); a pre-flush watcher would see only the last.
  watch(live.data, (d) => {
    if (d && buffers) buffers.addLive(d);
  }, { flush: 'sync' });
  const timer = setInterval(publish, intervalMs);
  onScopeDispose(() => clearInterval(timer));

  return { series, now, historyLoading: history.loading, historyError: history.error, live };
}
