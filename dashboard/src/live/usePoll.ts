import { errorOf, messageOf } from '../api/http';
import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';

export interface PollState<T> {
  /** The last good answer; null before any. Kept when a later read fails. */
  data: Readonly<ShallowRef<T | null>>;
  /** The last read's error (`HTTP 502`, a network error), null once a read succeeds again. */
  error: Readonly<Ref<string | null>>;
  /** Client time of the last good read, epoch ms; null before any. */
  lastRead: Readonly<Ref<number | null>>;
  /** Reads now (e.g. right after a sign-in), not at the next tick. */
  refresh: () => void;
}

export interface PollOptions {
  fetchImpl?: typeof fetch;
  /** Asked before each read: true skips it (no request, nothing changes), e.g. a role that may not read it. */
  skip?: () => boolean | Promise<boolean>;
}

/**
 * `GET url` now and every `intervalMs` while the calling scope lives, as JSON, keeping the last good
 * answer when a read fails (with the error beside it). A read still in flight when the next starts,
 * or when the scope ends, is aborted: one request at a time, none after the view is gone.
 */
export function usePoll<T>(url: string, intervalMs: number, { fetchImpl = (...a) => fetch(...a), skip }: PollOptions = {}): PollState<T> {
  const data = shallowRef<T | null>(null);
  const error = ref<string | null>(null);
  const lastRead = ref<number | null>(null);
  let inFlight: AbortController | undefined;
  let stopped = false;
  const read = async () => {
    if (skip && (await skip())) return;
    if (stopped) return;
    inFlight?.abort();
    const ctl = new AbortController();
    inFlight = ctl;
    try {
      const res = await fetchImpl(url, { signal: ctl.signal, headers: { accept: 'application/json' } });
      if (!res.ok) throw await errorOf(res);
      const body = (await res.json()) as T;
      if (ctl.signal.aborted) return;
      data.value = body;
      error.value = null;
      lastRead.value = Date.now();
    } catch (err) {
      if (!ctl.signal.aborted) error.value = messageOf(err);
    }
  };
  void read();
  const timer = setInterval(() => void read(), intervalMs);
  onScopeDispose(() => {
    stopped = true;
    clearInterval(timer);
    inFlight?.abort();
  });
  return { data, error, lastRead, refresh: () => void read() };
}
