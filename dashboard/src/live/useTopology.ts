import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import type { TopologyResponse } from '../charts/topology.option';

/** How often the topology view re-reads the graph: a down parent shows within this. */
export const TOPOLOGY_POLL_MS = 3_000;

export interface TopologyState {
  data: Readonly<ShallowRef<TopologyResponse | null>>;
  error: Readonly<Ref<string | null>>;
  /** Client time of the last good read, epoch ms; null before any. */
  lastRead: Readonly<Ref<number | null>>;
}

/**
 * `GET /api/v1/topology` (links and live status, `behind` included), read now and every
 * `intervalMs` while the calling scope lives; keeps the last good answer when a read fails.
 */
export function useTopology(intervalMs = TOPOLOGY_POLL_MS, fetchImpl: typeof fetch = (...a) => fetch(...a)): TopologyState {
  const data = shallowRef<TopologyResponse | null>(null);
  const error = ref<string | null>(null);
  const lastRead = ref<number | null>(null);
  let inFlight: AbortController | undefined;
  const read = async () => {
    inFlight?.abort();
    const ctl = new AbortController();
    inFlight = ctl;
    try {
      const res = await fetchImpl('/api/v1/topology', { signal: ctl.signal, headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      data.value = (await res.json()) as TopologyResponse;
      error.value = null;
      lastRead.value = Date.now();
    } catch (err) {
      if (!ctl.signal.aborted) error.value = (err as Error).message;
    }
  };
  void read();
  const timer = setInterval(() => void read(), intervalMs);
  onScopeDispose(() => {
    clearInterval(timer);
    inFlight?.abort();
  });
  return { data, error, lastRead };
}
