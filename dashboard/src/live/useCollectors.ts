import type { CollectorsResponse } from '@zhuyun/protocol';
import { onScopeDispose, type InjectionKey } from 'vue';
import { checkSession, onSignedIn, type SessionUser } from '../auth/session';
import { usePoll, type PollState } from './usePoll';

/** How often the registry is read; a collector is lost after a minute, so 10 s is plenty. */
export const COLLECTORS_POLL_MS = 10_000;

/** Who may read the registry (server: `@Roles('ops', 'leader', 'district')`, and admin always). */
export const COLLECTORS_READERS: readonly SessionUser['role'][] = ['admin', 'ops', 'leader', 'district'];

export type CollectorsState = PollState<CollectorsResponse>;

/**
 * The collector registry (`GET /api/v1/collectors`), read now and every 10 s while the calling
 * scope lives. Keeps the last good answer when a read fails, with the error beside it.
 *
 * Only once the session is known and its role may read the registry: before a sign-in (the sign-in
 * page) or for an operator it asks nothing, so no 401/403 ever shows as "采集器 !" (issue 15 items
 * 6 and 16); right after a sign-in it reads at once, not at the next tick.
 */
export function useCollectors(fetchImpl?: typeof fetch, session: () => Promise<SessionUser | null> = checkSession): CollectorsState {
  const state = usePoll<CollectorsResponse>('/api/v1/collectors', COLLECTORS_POLL_MS, {
    ...(fetchImpl ? { fetchImpl } : {}),
    skip: async () => {
      const user = await session();
      return !user || !COLLECTORS_READERS.includes(user.role);
    },
  });
  onScopeDispose(onSignedIn(() => state.refresh()));
  return state;
}

/** The page's one registry poll, provided by the shell (App.vue) to the views. */
export const COLLECTORS_KEY: InjectionKey<CollectorsState> = Symbol('collectors');
