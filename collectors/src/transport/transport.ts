import type { IngestBatch, IngestResult } from '@zhuyun/protocol';

/**
 * What became of one attempt to deliver a batch. The agent acts on `kind` only:
 * - `accepted`: the server has the batch (2xx). Remove it from the queue. Points it refused one by
 *   one are in `result.rejected`; resending would not change their fate.
 * - `rejected`: the server will never take this batch as it is (400, 413). Drop and count it.
 * - `unauthorized`: the token is missing, wrong or revoked (401, 403). Keep the batch, back off
 *   long, and wait for an operator; nothing is lost while the queue has room.
 * - `retryable`: network error, timeout, 5xx, 429 or an unexpected status. Keep it, retry later.
 */
export type SendOutcome =
  | { kind: 'accepted'; status: number; result: IngestResult }
  | { kind: 'rejected'; status: number; error: string }
  | { kind: 'unauthorized'; status: number; error: string }
  | { kind: 'retryable'; status?: number; error: string; retryAfterMs?: number };

export interface Transport {
  /**
   * Delivers one batch. Never throws nor rejects: every failure is an outcome. The same batch may
   * be sent more than once (after a lost answer); the server deduplicates by `batch.batch`.
   * `signal` aborts the attempt (agent stopping); the outcome is then `retryable`.
   */
  send(batch: IngestBatch, signal?: AbortSignal): Promise<SendOutcome>;
  /** Releases kept-alive connections; called once when the agent stops. */
  close?(): Promise<void>;
}
