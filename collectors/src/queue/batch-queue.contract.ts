import { describe, expect, it } from '@jest/globals';
import type { RawPoint } from '@zhuyun/protocol';
import type { BatchQueue, QueuedBatch } from './batch-queue.js';

/**
 * The behaviour every BatchQueue must show, run against each implementation (MemoryBatchQueue in
 * memory.batch-queue.spec.ts, DiskBatchQueue in disk.batch-queue.spec.ts). `make(maxPoints)`
 * returns an empty queue bounded at `maxPoints`. What only a spool can do (survive a restart,
 * tolerate torn files) is tested beside the spool.
 */
export function batchQueueContract(name: string, make: (maxPoints: number) => Promise<BatchQueue>): void {
  const points = (n: number): RawPoint[] =>
    Array.from({ length: n }, (_, i) => ({ metric: 'net.up', ts: 1_700_000_000_000 + i, value: 1, tags: { district: '520103', node: 'n' } }));
  const batch = (id: string, n: number, createdAt = 1_700_000_000_000): QueuedBatch => ({ id, createdAt, points: points(n) });

  describe(`BatchQueue contract: ${name}`, () => {
    it('is empty at first', async () => {
      const q = await make(10_000);
      expect(await q.peek()).toBeUndefined();
      expect(q.size()).toMatchObject({ batches: 0, points: 0 });
      expect(q.corrupted()).toEqual({ batches: 0, points: 0 });
    });

    it('hands batches out oldest first and keeps them until removed', async () => {
      const q = await make(10_000);
      await q.put(batch('c:b:1', 2));
      await q.put(batch('c:b:2', 3));
      expect((await q.peek())?.id).toBe('c:b:1');
      expect((await q.peek())?.id).toBe('c:b:1'); // peek does not consume
      expect(q.size()).toMatchObject({ batches: 2, points: 5 });
      await q.remove('c:b:1');
      expect((await q.peek())?.id).toBe('c:b:2');
      expect((await q.peek())?.points).toHaveLength(3);
    });

    it('ignores removing an unknown or already removed id', async () => {
      const q = await make(10_000);
      await q.put(batch('c:b:1', 1));
      await q.remove('nope');
      await q.remove('c:b:1');
      await q.remove('c:b:1');
      expect(q.size()).toMatchObject({ batches: 0, points: 0 });
    });

    it('evicts the oldest batches past its bound, never the newest, and returns them', async () => {
      const q = await make(1_000);
      expect(await q.put(batch('c:b:1', 400))).toEqual([]);
      expect(await q.put(batch('c:b:2', 400))).toEqual([]);
      const evicted = await q.put(batch('c:b:3', 400));
      expect(evicted).toEqual([{ id: 'c:b:1', createdAt: 1_700_000_000_000, points: 400 }]);
      expect(q.size()).toMatchObject({ batches: 2, points: 800 });
      expect((await q.peek())?.id).toBe('c:b:2');
      // A single batch larger than the bound is still kept: it is all there is.
      const q2 = await make(1_000);
      expect(await q2.put(batch('c:b:9', 1_500))).toEqual([]);
      expect(q2.size().batches).toBe(1);
    });

    it('expires batches sealed before a cutoff', async () => {
      const q = await make(10_000);
      await q.put(batch('c:b:1', 1, 1_000));
      await q.put(batch('c:b:2', 2, 2_000));
      await q.put(batch('c:b:3', 3, 3_000));
      const expired = await q.expire(2_500);
      expect(expired).toEqual([
        { id: 'c:b:1', createdAt: 1_000, points: 1 },
        { id: 'c:b:2', createdAt: 2_000, points: 2 },
      ]);
      expect(q.size()).toMatchObject({ batches: 1, points: 3 });
      expect((await q.peek())?.id).toBe('c:b:3');
    });

    it('keeps a batch peeked before a newer put, and hands out the next one after its removal', async () => {
      const q = await make(10_000);
      await q.put(batch('c:b:1', 1));
      expect((await q.peek())?.id).toBe('c:b:1');
      await q.put(batch('c:b:2', 2));
      expect((await q.peek())?.id).toBe('c:b:1');
      await q.remove('c:b:1');
      expect(await q.peek()).toEqual(batch('c:b:2', 2));
      await q.remove('c:b:2');
      expect(await q.peek()).toBeUndefined();
      await q.put(batch('c:b:3', 3));
      expect(await q.peek()).toEqual(batch('c:b:3', 3));
    });

    it('returns the points as they were put', async () => {
      const q = await make(10_000);
      const b = batch('c:b:1', 2);
      await q.put(b);
      expect(await q.peek()).toEqual(b);
      await q.close();
    });
  });
}
