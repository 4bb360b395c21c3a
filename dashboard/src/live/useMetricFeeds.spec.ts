import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DistrictData } from '@zhuyun/protocol';
import { effectScope, nextTick, watch } from 'vue';
import { CHART_PUBLISH_MS, chartPublishMs } from '../test-hooks';
import { FakeSocket } from './testing/fake-socket';
import { CAPACITY, DISTRICT_WINDOW_MS, useMetricFeeds } from './useMetricFeeds';
import { setLiveSocketFactory } from './useLiveTopic';

const T0 = Date.UTC(2026, 10, 27, 2, 0, 0);
const METRIC = 'net.latency_ms';

/** A `district:520113` payload with two nodes measured at `at`. */
function district(at: number, v: number): DistrictData {
  const node = (id: string) => ({ id, lastSeen: at, metrics: { [METRIC]: v, 'net.up': 1 } });
  return { unit: { code: '520113' }, nodes: [node('520113-core-1'), node('520113-acc-1')] } as unknown as DistrictData;
}

/**
 * The drill-down's feed under an injected clock (jest's fake timers drive Date.now and the publish
 * timer): frames come 50 times a second, the charts' series change once a second; the buffers stay
 * within their bound however many frames come; the history asks for the hour in minute buckets.
 */
describe('useMetricFeeds (throttle and bound, injected clock)', () => {
  const realFetch = globalThis.fetch;
  const asked: string[] = [];
  let socket: FakeSocket;
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    asked.length = 0;
    globalThis.fetch = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ metric: METRIC, from: 0, to: 0, step: '1m', series: [] }), { status: 200 });
    }) as unknown as typeof fetch;
    socket = new FakeSocket();
    setLiveSocketFactory(() => socket);
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
    jest.useRealTimers();
  });

  it('publishes at most once a second however fast frames come, from buffers that never pass their bound', async () => {
    expect(chartPublishMs()).toBe(CHART_PUBLISH_MS); // no window, no override: one second
    const scope = effectScope();
    const { feeds, now } = scope.run(() => useMetricFeeds('520113', [{ metric: METRIC }]))!;
    const feed = feeds[METRIC];
    let publishes = 0;
    scope.run(() => watch(feed.series, () => publishes++, { flush: 'sync' }));
    socket.connected = true;
    socket.serverSends('connect');
    expect(socket.emitted).toContainEqual(['subscribe', ['district:520113']]);
    await jest.advanceTimersByTimeAsync(0);
    await nextTick();
    // The hour, in minute rollups (60 buckets a node), ending now.
    expect(asked).toEqual([`/api/v1/series?metric=${METRIC}&district=520113&from=${T0 - DISTRICT_WINDOW_MS}&to=${T0}&step=1m`]);

    let seq = 0;
    socket.serverSends('snapshot', { topic: 'district:520113', seq, ts: T0, data: district(T0, 1) });
    const before = publishes;
    // Ten seconds of frames every 20 ms: 500 frames, 1 000 new points.
    for (let i = 1; i <= 500; i++) {
      await jest.advanceTimersByTimeAsync(20);
      socket.serverSends('frame', { topic: 'district:520113', seq: ++seq, ts: Date.now(), data: district(Date.now(), i) });
    }
    const during = publishes - before;
    expect(during).toBeGreaterThanOrEqual(9);
    expect(during).toBeLessThanOrEqual(10);
    expect(now.value).toBe(T0 + 10_000);
    // What the chart holds is what was there at the last publish (at T0 + 10 s, just before the
    // frame of that instant): the snapshot's point and 499 frames'. The next one waits a second.
    expect(feed.series.value.map((s) => s.points.length)).toEqual([500, 500]);
    expect(feed.series.value[0].points.at(-1)).toEqual([T0 + 9_980, 499]);
    await jest.advanceTimersByTimeAsync(999);
    expect(feed.series.value[0].points.at(-1)).toEqual([T0 + 9_980, 499]);
    await jest.advanceTimersByTimeAsync(1);
    expect(feed.series.value[0].points.at(-1)).toEqual([T0 + 10_000, 500]);

    // Two hours of frames at 2 a second (14 400 per node, 7 200 in any hour): the buffers wrap and
    // stay at their bound.
    for (let i = 0; i < 2 * 7_200; i++) {
      await jest.advanceTimersByTimeAsync(500);
      socket.serverSends('frame', { topic: 'district:520113', seq: ++seq, ts: Date.now(), data: district(Date.now(), i) });
    }
    await jest.advanceTimersByTimeAsync(1_000);
    const lengths = feed.series.value.map((s) => s.points.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(CAPACITY);
    expect(Math.min(...lengths)).toBe(CAPACITY);
    // Oldest point inside the hour window (the ring dropped the rest).
    const oldest = feed.series.value[0].points[0][0];
    expect(Date.now() - oldest).toBeLessThanOrEqual(DISTRICT_WINDOW_MS);

    // Quiet: no frames. Once a second the window slides; an hour later the old points are gone.
    const quiet = publishes;
    await jest.advanceTimersByTimeAsync(DISTRICT_WINDOW_MS + 1_000);
    expect(publishes - quiet).toBeLessThanOrEqual(3_601 + 1);
    expect(feed.series.value).toEqual([]);

    scope.stop();
    const stopped = publishes;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(publishes).toBe(stopped); // the timer went with the scope
    expect(socket.emitted.at(-1)).toEqual(['unsubscribe', ['district:520113']]);
  });

  it('takes every frame of a batch delivered in one task (long-polling)', async () => {
    const scope = effectScope();
    const { feeds } = scope.run(() => useMetricFeeds('520113', [{ metric: METRIC }]))!;
    socket.connected = true;
    socket.serverSends('connect');
    socket.serverSends('snapshot', { topic: 'district:520113', seq: 0, ts: T0, data: district(T0, 1) });
    for (let i = 1; i <= 5; i++) socket.serverSends('frame', { topic: 'district:520113', seq: i, ts: T0 + i, data: district(T0 + i * 100, i) });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(feeds[METRIC].series.value[0].points.map((p) => p[1])).toEqual([1, 1, 2, 3, 4, 5]);
    scope.stop();
  });

  it('a browser test may shorten the period (10 ms to 1 s), never lengthen it past a second', () => {
    expect(chartPublishMs({ __zhuyunChartPublishMs: 50 })).toBe(50);
    expect(chartPublishMs({ __zhuyunChartPublishMs: 5_000 })).toBe(CHART_PUBLISH_MS);
    expect(chartPublishMs({ __zhuyunChartPublishMs: 1 })).toBe(CHART_PUBLISH_MS);
    expect(chartPublishMs({ __zhuyunChartPublishMs: '50' })).toBe(CHART_PUBLISH_MS);
    expect(chartPublishMs({})).toBe(CHART_PUBLISH_MS);
  });
});
