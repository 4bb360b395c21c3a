import type { CollectorsResponse } from '@zhuyun/protocol';
import { onScopeDispose, ref, shallowRef, type InjectionKey, type Ref, type ShallowRef } from 'vue';
import { checkSession } from '../auth/session';

/** How often the registry is read; a collector is lost after a minute, so 10 s is plenty. */
export const COLLECTORS_POLL_MS = 10_000;

export interface CollectorsState {
  data: Readonly<ShallowRef<CollectorsResponse | null>>;
  error: Readonly<Ref<string | null>>;
}

/**
 * The collector registry (`GET /api/v1/collectors`), read now and every 10 s while the calling
 * scope lives. Keeps the last good answer when a read fails, with the error beside it.
 */
export function useCollectors(fetchImpl: typeof fetch = (...a) => fetch(...a)): CollectorsState {
  const data = shallowRef<CollectorsResponse | null>(null);
  const error = ref<string | null>(null);
  let inFlight: AbortController | undefined;
  const read = async () => {
    // An operator may not read the registry (server: ops, leader, district): no request, no badge.
    if ((await checkSession())?.role === 'operator') return;
    inFlight?.abort();
    const ctl = new AbortController();
    inFlight = ctl;
    try {
      const res = await fetchImpl('/api/v1/collectors', { signal: ctl.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      data.value = (await res.json()) as CollectorsResponse;
      error.value = null;
    } catch (err) {
      if (!ctl.signal.aborted) error.value = (err as Error).message;
    }
  };
  void read();
  const timer = setInterval(() => void read(), COLLECTORS_POLL_MS);
  onScopeDispose(() => {
    clearInterval(timer);
    inFlight?.abort();
  });
  return { data, error };
}

/** The page's one registry poll, provided by the shell (App.vue) to the views. */
export const COLLECTORS_KEY: InjectionKey<CollectorsState> = Symbol('collectors');
