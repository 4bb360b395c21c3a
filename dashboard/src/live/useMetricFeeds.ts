import { MAX_DISTRICT_FRAME_NODES, type DistrictData, type SeriesResponse, type Step } from '@zhuyun/protocol';
import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue';
import type { NodeSeries } from '../charts/latency.option';
import { DistributionBuffer, type DistPoint } from '../district/distribution';
import { messageOf } from '../api/http';
import { MetricBuffers } from './latency-buffers';
import { chartPublishMs, noteChartPublish } from '../test-hooks';
import { useLiveTopic, type LiveTopic } from './useLiveTopic';
import { seriesUrl } from './useSeries';

/** The drill-down's window: the last hour. */
export const DISTRICT_WINDOW_MS = 60 * 60_000;
/** One hour of points at one a second, and the minute buckets of the history under them. */
export const CAPACITY = 3_600 + 120;

export interface MetricFeedSpec {
  metric: string;
  /** See MetricBuffersOptions.gapWhenUnreachable. */
  gapWhenUnreachable?: boolean;
}

export interface MetricFeed {
  series: Readonly<ShallowRef<NodeSeries[]>>;
  /** The district's median, p95 and worst over its nodes, per bucket then per frame (district/distribution.ts). */
  distribution: Readonly<ShallowRef<DistPoint[]>>;
  loading: Readonly<Ref<boolean>>;
  error: Readonly<Ref<string | null>>;
}

export interface MetricFeeds {
  /** Per metric, as asked. */
  feeds: Record<string, MetricFeed>;
  /** Right edge of the window, epoch ms, moved with the series. */
  now: Readonly<Ref<number>>;
  live: LiveTopic<DistrictData>;
}

/**
 * Several metrics of the nodes of one district or zone over the last `windowMs`: history from
 * /api/v1/series (in minute buckets, so an hour is 60 points a node), then live values from the
 * `district:<code>` topic, in bounded buffers (MetricBuffers). The series are published on a
 * timer: charts using them redraw at most once per `intervalMs` however fast frames come.
 */
export function useMetricFeeds(
  code: MaybeRefOrGetter<string | null>,
  specs: readonly MetricFeedSpec[],
  { windowMs = DISTRICT_WINDOW_MS, intervalMs = chartPublishMs(), step = '1m' as Step } = {},
): MetricFeeds {
  const now = ref(Date.now());
  const live = useLiveTopic<DistrictData>(() => {
    const c = toValue(code);
    return c ? `district:${c}` : null;
  });
  const feeds: Record<string, MetricFeed & { series: ShallowRef<NodeSeries[]>; distribution: ShallowRef<DistPoint[]>; loading: Ref<boolean>; error: Ref<string | null> }> = {};
  for (const s of specs) feeds[s.metric] = { series: shallowRef([]), distribution: shallowRef([]), loading: ref(false), error: ref(null) };
  let buffers = new Map<string, MetricBuffers>();
  let distributions = new Map<string, DistributionBuffer>();
  let requests: AbortController | undefined;

  function publish() {
    noteChartPublish();
    const t = Date.now();
    let newest = 0;
    for (const b of buffers.values()) for (const s of b.series()) newest = Math.max(newest, s.points.at(-1)?.[0] ?? 0);
    // Points carry server time: never cut off the newest because this clock is a little behind.
    const end = Math.max(t, newest);
    now.value = end;
    for (const s of specs) {
      const b = buffers.get(s.metric);
      b?.trim(end - windowMs);
      feeds[s.metric].series.value = b?.series() ?? [];
      const d = distributions.get(s.metric);
      d?.trim(end - windowMs);
      feeds[s.metric].distribution.value = d?.toArray() ?? [];
    }
  }

  async function loadHistory(c: string, ctl: AbortController) {
    const t = Date.now();
    await Promise.all(
      specs.map(async (s) => {
        const f = feeds[s.metric];
        f.loading.value = true;
        f.error.value = null;
        try {
          const res = await fetch(seriesUrl({ metric: s.metric, district: c, from: t - windowMs, to: t, step }), {
            signal: ctl.signal,
            headers: { accept: 'application/json' },
          });
          if (!res.ok) {
            let msg = `HTTP ${res.status}`;
            try {
              msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg;
            } catch {
              // not JSON
            }
            throw new Error(msg);
          }
          const body = (await res.json()) as SeriesResponse;
          if (!ctl.signal.aborted) {
            buffers.get(s.metric)?.addHistory(body);
            distributions.get(s.metric)?.addHistory(body);
          }
        } catch (err) {
          if (!ctl.signal.aborted) f.error.value = messageOf(err);
        } finally {
          if (!ctl.signal.aborted) f.loading.value = false;
        }
      }),
    );
    if (!ctl.signal.aborted) publish();
  }

  watch(
    () => toValue(code),
    (c) => {
      requests?.abort();
      requests = undefined;
      // Every node of a frame gets its buffer (the charts pick which to draw: the worst few and
      // those clicked); points per node are bounded by CAPACITY and, for slower levels, by their pace.
      buffers = new Map(c ? specs.map((s) => [s.metric, new MetricBuffers(c, CAPACITY, MAX_DISTRICT_FRAME_NODES, s)]) : []);
      distributions = new Map(c ? specs.map((s) => [s.metric, new DistributionBuffer(c, s.metric, CAPACITY, s.gapWhenUnreachable ?? true)]) : []);
      for (const s of specs) {
        feeds[s.metric].loading.value = false;
        feeds[s.metric].error.value = null;
      }
      publish(); // empty at once, so the previous district's lines never show under the new name
      if (c) {
        requests = new AbortController();
        void loadHistory(c, requests);
      }
    },
    { immediate: true },
  );
  // sync: every frame lands in the buffers, even several delivered in one task (long-polling
  // hands a batch of packets over at once); a pre-flush watcher would see only the last.
  watch(live.data, (d) => {
    if (d) {
      for (const b of buffers.values()) b.addLive(d);
      for (const b of distributions.values()) b.addLive(d);
    }
  }, { flush: 'sync' });
  const timer = setInterval(publish, intervalMs);
  onScopeDispose(() => {
    clearInterval(timer);
    requests?.abort();
  });

  return { feeds, now, live };
}
