import type { TopologyResponse } from '../charts/topology.option';
import { usePoll, type PollState } from './usePoll';

/** How often the topology view re-reads the graph: a down parent shows within this. */
export const TOPOLOGY_POLL_MS = 3_000;

export type TopologyState = PollState<TopologyResponse>;

/**
 * `GET /api/v1/topology` (links and live status, `behind` included), read now and every
 * `intervalMs` while the calling scope lives; keeps the last good answer when a read fails.
 */
export function useTopology(intervalMs = TOPOLOGY_POLL_MS, fetchImpl?: typeof fetch): TopologyState {
  return usePoll<TopologyResponse>('/api/v1/topology', intervalMs, fetchImpl ? { fetchImpl } : {});
}
