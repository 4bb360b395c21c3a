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
 * What the caller needs to count a batch that left the queue without being sent (evicted,
 * expired): a disk spool answers from its index, without reading the batch back from disk.
 */
export interface BatchSummary {
  id: string;
  createdAt: number;
  /** Number of points in the batch. */
  points: number;
}

export interface QueueSize {
  batches: number;
  points: number;
  /** Bytes on disk (a spool); absent for a queue in memory. */
  bytes?: number;
}

/**
 * Batches waiting for the server, oldest first: the agent's at-least-once buffer, as Telegraf's
 * output buffer is a transaction log. The flow is: `put` when a batch is sealed (before the first
 * send), `peek` the oldest to send it, `remove` only once the server answered 2xx (or rejected it
 * for good). A crash between send and remove means a resend, which the server's batch-id dedupe
 * absorbs. MemoryBatchQueue and DiskBatchQueue implement it and run the same suite
 * (batch-queue.contract.ts).
 *
 * Calls are not required to be safe when overlapping on the same id; the agent never overlaps them.
 * A `put` may overlap a `peek`/`remove` of other batches (the agent seals while it sends).
 */
export interface BatchQueue {
  /**
   * Appends a batch; resolves once it is stored (written and fsync'd, for a spool), and only then
   * may `peek` return it. When the queue is over its bound afterwards, the oldest batches (never
   * the one just put) are evicted and returned, so the caller can count what was lost. Rejects
   * when the batch could not be stored (disk full): the batch is then not in the queue.
   */
  put(batch: QueuedBatch): Promise<BatchSummary[]>;
  /**
   * The oldest batch, left in place; undefined when empty. A spool skips (and counts, see
   * `corrupted`) entries it cannot read back.
   */
  peek(): Promise<QueuedBatch | undefined>;
  /** Removes a batch; an id not (or no longer) queued is ignored, so removal is idempotent. */
  remove(id: string): Promise<void>;
  /** Removes and returns the batches sealed before `cutoff` (epoch ms), oldest first. */
  expire(cutoff: number): Promise<BatchSummary[]>;
  /** What is queued now. Cheap and synchronous: read for stats on every flush. */
  size(): QueueSize;
  /**
   * Entries found unreadable (a torn write, a truncated or corrupt file) and discarded since the
   * queue was opened: counted, never returned. Always zero for a queue in memory.
   */
  corrupted(): { batches: number; points: number };
  /** Releases files or handles. Queued batches stay (in a spool) or are lost (in memory). */
  close(): Promise<void>;
}

export function summarize(batch: QueuedBatch): BatchSummary {
  return { id: batch.id, createdAt: batch.createdAt, points: batch.points.length };
}
