import { STEPS, pickStep, type SeriesResponse, type Step } from '@zhuyun/protocol';
import { errorOf, messageOf } from '../api/http';
import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue';

export interface SeriesQuery {
  metric: string;
  /** District code or zone id. */
  district?: string;
  node?: string;
  from: number;
  to: number;
  step?: Step;
}

/**
 * The step a query reads at: the one asked, but never finer than the server would pick for the range
 * (`pickStep`: raw up to 6 h, minute rollups up to 7 days, hourly beyond). A long range thus always
 * reads rollups: 30 days is 720 hourly buckets a series, never 30 days of raw points.
 */
export function stepFor(q: Pick<SeriesQuery, 'from' | 'to' | 'step'>): Step {
  const floor = pickStep(q.from, q.to);
  if (!q.step) return floor;
  return STEPS.indexOf(q.step) >= STEPS.indexOf(floor) ? q.step : floor;
}

/** `GET /api/v1/series` URL of a query (same origin), with its step always stated (stepFor). */
export function seriesUrl(q: SeriesQuery): string {
  const p = new URLSearchParams({ metric: q.metric });
  if (q.district) p.set('district', q.district);
  if (q.node) p.set('node', q.node);
  p.set('from', String(Math.floor(q.from)));
  p.set('to', String(Math.ceil(q.to)));
  p.set('step', stepFor(q));
  return `/api/v1/series?${p}`;
}

export interface SeriesState {
  data: Readonly<ShallowRef<SeriesResponse | null>>;
  loading: Readonly<Ref<boolean>>;
  error: Readonly<Ref<string | null>>;
}

/**
 * History for a chart: fetches when the query changes (null: nothing), aborting the request before
 * it and any request in flight when the scope ends. `data` holds the answer of the current query only.
 */
export function useSeries(query: MaybeRefOrGetter<SeriesQuery | null>): SeriesState {
  const data = shallowRef<SeriesResponse | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let inFlight: AbortController | undefined;

  watch(
    () => toValue(query),
    async (q) => {
      inFlight?.abort();
      data.value = null;
      error.value = null;
      if (!q) {
        loading.value = false;
        return;
      }
      const ctrl = new AbortController();
      inFlight = ctrl;
      loading.value = true;
      try {
        const res = await fetch(seriesUrl(q), { signal: ctrl.signal, headers: { accept: 'application/json' } });
        if (!res.ok) throw await errorOf(res);
        const body = (await res.json()) as SeriesResponse;
        if (!ctrl.signal.aborted) data.value = body;
      } catch (err) {
        if (!ctrl.signal.aborted) error.value = messageOf(err);
      } finally {
        if (inFlight === ctrl) {
          loading.value = false;
          inFlight = undefined;
        }
      }
    },
    { immediate: true },
  );
  onScopeDispose(() => inFlight?.abort());

  return { data, loading, error };
}
