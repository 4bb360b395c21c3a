import { summarize, type BatchQueue, type BatchSummary, type QueuedBatch, type QueueSize } from './batch-queue.js';

export interface MemoryBatchQueueOptions {
  /** Most points held; beyond it the oldest batches go. Default 200,000 (~60 MB of points). */
  maxPoints?: number;
}

/**
 * The BatchQueue in process memory: survives server outages, not agent restarts. The bound is in
 * points rather than batches because batch sizes vary from a handful (a quiet flush) to 5,000.
 */
export class MemoryBatchQueue implements BatchQueue {
  private readonly maxPoints: number;
  private batches: QueuedBatch[] = [];
  private points = 0;

  constructor(options: MemoryBatchQueueOptions = {}) {
    this.maxPoints = options.maxPoints ?? 200_000;
  }

  async put(batch: QueuedBatch): Promise<BatchSummary[]> {
    this.batches.push(batch);
    this.points += batch.points.length;
    const evicted: BatchSummary[] = [];
    while (this.points > this.maxPoints && this.batches.length > 1) {
      const oldest = this.batches.shift()!;
      this.points -= oldest.points.length;
      evicted.push(summarize(oldest));
    }
    return evicted;
  }

  async peek(): Promise<QueuedBatch | undefined> {
    return this.batches[0];
  }

  async remove(id: string): Promise<void> {
    const i = this.batches.findIndex((b) => b.id === id);
    if (i < 0) return;
    this.points -= this.batches[i].points.length;
    this.batches.splice(i, 1);
  }

  async expire(cutoff: number): Promise<BatchSummary[]> {
    const expired = this.batches.filter((b) => b.createdAt < cutoff);
    if (expired.length === 0) return [];
    this.batches = this.batches.filter((b) => b.createdAt >= cutoff);
    this.points = this.batches.reduce((n, b) => n + b.points.length, 0);
    return expired.map(summarize);
  }

  size(): QueueSize {
    return { batches: this.batches.length, points: this.points };
  }

  corrupted(): { batches: number; points: number } {
    return { batches: 0, points: 0 };
  }

  async close(): Promise<void> {}
}
