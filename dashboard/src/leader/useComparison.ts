import { monthOf } from '@zhuyun/protocol';
import { ref, shallowRef, watch, type Ref } from 'vue';
import { api, messageOf } from '../api/http';
import { cityTotals, lastMonths, type CityTotals, type ComparisonResponse, type ZoneFilter } from './league';
import type { MigrationSummaryUnit } from '../charts/leader.option';

/** The current month in Beijing time (`YYYY-MM`). */
export function currentMonth(now = Date.now()): string {
  return monthOf(now);
}

export function comparisonUrl(month: string, zones: ZoneFilter, format: 'json' | 'csv' = 'json'): string {
  const q = new URLSearchParams({ month, zones });
  if (format === 'csv') q.set('format', 'csv');
  return `/api/v1/comparison?${q}`;
}

export interface Loadable<T> {
  data: Ref<T | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  reload(): void;
}

/**
 * GET /api/v1/comparison for the month and zone filter, again whenever either changes. An answer
 * that arrives after a newer request is dropped (a quick second click must not be overwritten).
 */
export function useComparison(month: Ref<string>, zones: Ref<ZoneFilter>): Loadable<ComparisonResponse> {
  const data = shallowRef<ComparisonResponse | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let ticket = 0;
  const load = async () => {
    const mine = ++ticket;
    loading.value = true;
    error.value = null;
    try {
      const r = await api<ComparisonResponse>(comparisonUrl(month.value, zones.value));
      if (mine === ticket) data.value = r;
    } catch (err) {
      if (mine === ticket) error.value = messageOf(err);
    } finally {
      if (mine === ticket) loading.value = false;
    }
  };
  watch([month, zones], load, { immediate: true });
  return { data, loading, error, reload: load };
}

export interface TrendPoint {
  month: string;
  totals: CityTotals | null;
}

/**
 * The city's totals over the six months ending with `month`: the comparison (all 14 units) for each
 * month, read in parallel. A month that fails stays null (a gap in the chart) and is counted.
 */
export function useTrend(month: Ref<string>, n = 6): Loadable<TrendPoint[]> & { failed: Ref<number> } {
  const data = shallowRef<TrendPoint[] | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const failed = ref(0);
  let ticket = 0;
  const load = async () => {
    const mine = ++ticket;
    loading.value = true;
    error.value = null;
    const months = lastMonths(month.value, n);
    const results = await Promise.allSettled(months.map((m) => api<ComparisonResponse>(comparisonUrl(m, 'include'))));
    if (mine !== ticket) return;
    const points = months.map((m, i) => {
      const r = results[i];
      return { month: m, totals: r.status === 'fulfilled' ? cityTotals(m, r.value.rows) : null };
    });
    failed.value = results.filter((r) => r.status === 'rejected').length;
    if (failed.value === months.length) error.value = messageOf((results[0] as PromiseRejectedResult).reason);
    else data.value = points;
    loading.value = false;
  };
  watch(month, load, { immediate: true });
  return { data, loading, error, failed, reload: load };
}

/** GET /api/v1/migration/summary (per unit counts per state), once. */
export function useMigrationSummary(): Loadable<MigrationSummaryUnit[]> {
  const data = shallowRef<MigrationSummaryUnit[] | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const load = async () => {
    loading.value = true;
    error.value = null;
    try {
      data.value = (await api<{ units: MigrationSummaryUnit[] }>('/api/v1/migration/summary')).units;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      loading.value = false;
    }
  };
  void load();
  return { data, loading, error, reload: load };
}
