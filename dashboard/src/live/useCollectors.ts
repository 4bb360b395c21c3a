import type { CollectorsResponse } from '@zhuyun/protocol';
import type { InjectionKey } from 'vue';
import { checkSession } from '../auth/session';
import { usePoll, type PollState } from './usePoll';

/** How often the registry is read; a collector is lost after a minute, so 10 s is plenty. */
export const COLLECTORS_POLL_MS = 10_000;

export type CollectorsState = PollState<CollectorsResponse>;

/**
 * The collector registry (`GET /api/v1/collectors`), read now and every 10 s while the calling
 * scope lives. Keeps the last good answer when a read fails, with the error beside it.
 */
export function useCollectors(fetchImpl?: typeof fetch): CollectorsState {
  return usePoll<CollectorsResponse>('/api/v1/collectors', COLLECTORS_POLL_MS, {
    ...(fetchImpl ? { fetchImpl } : {}),
    // An operator may not read the registry (server: ops, leader, district): no request, no badge.
    skip: async () => (await checkSession())?.role === 'operator',
  });
}

/** The page's one registry poll, provided by the shell (App.vue) to the views. */
export const COLLECTORS_KEY: InjectionKey<CollectorsState> = Symbol('collectors');
