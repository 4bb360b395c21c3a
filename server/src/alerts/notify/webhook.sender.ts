import type { AlertNotice } from './messages.js';
import { answerProblem, buildRequest, type Channel } from './channels.js';

export interface DeliveryAttempt {
  alertId: string;
  channelId: string;
  event: string;
  attempt: number;
  /** `ok`; `retrying`: failed, another attempt follows; `failed`: the last attempt failed. */
  status: 'ok' | 'retrying' | 'failed';
  httpStatus: number | null;
  error: string | null;
  at: number;
  /** For `retrying`: when the next attempt is due. */
  nextAt?: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Wait before attempt n+1 is baseMs · 2^(n-1), at most maxMs. */
  baseMs: number;
  maxMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseMs: 2_000, maxMs: 120_000, timeoutMs: 10_000 };

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
}

/**
 * Sends one notice to one channel, with retries and exponential backoff. Every attempt is handed
 * to `record` (awaited) before the next; resolves with the last attempt, never rejects. Signing is
 * redone per attempt (the robots refuse old timestamps). A 4xx answer other than 408/429 is not
 * retried: the same request would be refused again. `firstAttempt` resumes a delivery (after a
 * restart). When `stopped` turns true the attempt just made is recorded as `retrying` (with its
 * `nextAt`) and no further attempt is made here: the outbox resumes it.
 */
export async function deliver(
  channel: Channel,
  notice: AlertNotice,
  opts: {
    now: () => number;
    record: (a: DeliveryAttempt) => Promise<void>;
    policy?: RetryPolicy;
    sleep?: (ms: number) => Promise<void>;
    /** Set when the server shuts down: no further attempts. */
    stopped?: () => boolean;
    firstAttempt?: number;
  },
): Promise<DeliveryAttempt> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  let last!: DeliveryAttempt;
  for (let attempt = Math.max(1, opts.firstAttempt ?? 1); attempt <= policy.maxAttempts; attempt++) {
    const req = buildRequest(channel, notice, opts.now());
    let httpStatus: number | null = null;
    let error: string | null = null;
    let retryable = true;
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'zhuyun-alerts/1' },
        body: JSON.stringify(req.body),
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      httpStatus = res.status;
      error = answerProblem(channel.kind, res.status, await res.text());
      retryable = !(res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      error = e.name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    }
    const more = error !== null && retryable && attempt < policy.maxAttempts;
    const at = opts.now();
    last = {
      alertId: notice.alertId,
      channelId: channel.id,
      event: notice.event,
      attempt,
      status: error === null ? 'ok' : more ? 'retrying' : 'failed',
      httpStatus,
      error,
      at,
      ...(more ? { nextAt: at + backoffMs(policy, attempt) } : {}),
    };
    await opts.record(last).catch(() => undefined);
    if (!more || opts.stopped?.()) return last;
    await sleep(backoffMs(policy, attempt));
    // Woken by a shutdown: the attempt is left to the outbox (recorded `retrying` above).
    if (opts.stopped?.()) return last;
  }
  return last;
}
