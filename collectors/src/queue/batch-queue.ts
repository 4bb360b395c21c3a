import type { RawPoint } from '@zhuyun/protocol';

/** A batch sealed by the agent: its id never changes, so a resend is deduplicated by the server. */
export interface QueuedBatch {
  /** `${collectorId}:${bootId}:${n}`. */
  id: string;
  /** When it was sealed, epoch ms (for max_age). */
  createdAt: number;
  points: RawPoint[];
}

/**
 * Batches waiting for the server, oldest first: the agent's at-least-once buffer, as Telegraf's
 * output buffer is a transaction log. The flow is: `put` when a batch is sealed (before the first
 * send), `peek` the oldest to send it, `remove` only once the server answered 2xx (or rejected it
 * for good). A crash between send and remove means a resend, which the server's batch-id dedupe
 * absorbs. The memory queue implements it now; the disk spool will implement the same contract
 * and run the same suite (batch-queue.contract.ts).
 *
 * Calls are not required to be safe when overlapping on the same id; the agent never overlaps them.
 */
export interface BatchQueue {
  /**
   * Appends a batch; resolves once it is stored (on disk, for a spool). When the queue is over its
   * bound afterwards, the oldest batches (never the one just put) are evicted and returned, so the
   * caller can count what was lost.
   */
  put(batch: QueuedBatch): Promise<QueuedBatch[]>;
  /** The oldest batch, left in place; undefined when empty. */
  peek(): Promise<QueuedBatch | undefined>;
  /** Removes a batch; an id not (or no longer) queued is ignored, so removal is idempotent. */
  remove(id: string): Promise<void>;
  /** Removes and returns the batches sealed before `cutoff` (epoch ms), oldest first. */
  expire(cutoff: number): Promise<QueuedBatch[]>;
  /** What is queued now. Cheap and synchronous: read for stats on every flush. */
  size(): { batches: number; points: number };
  /** Releases files or handles. Queued batches stay (in a spool) or are lost (in memory). */
  close(): Promise<void>;
}
