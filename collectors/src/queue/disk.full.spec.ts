import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestBatch, RawPoint } from '@zhuyun/protocol';
import { Agent } from '../agent.js';
import { configFromObject } from '../config.js';
import type { Probe } from '../probe.js';
import { RecordingLogger } from '../testing/recording.logger.js';
import type { SendOutcome, Transport } from '../transport/transport.js';
import { DiskBatchQueue } from './disk.batch-queue.js';

/**
 * A full disk, for real: the spool on a 128 KiB tmpfs mounted by the test (tmpfs counts 4 KiB pages,
 * so about 30 batch files fit). Mounting needs root with CAP_SYS_ADMIN; elsewhere the tests are
 * skipped with a warning, as the snmpd tests are without snmpd.
 */
const root = mkdtempSync(join(tmpdir(), 'zhuyun-spool-full-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k,mode=0700', 'tmpfs', root]).status === 0;
if (!mounted) console.warn('\n*** cannot mount a tmpfs (needs root): the full-disk spool tests are skipped ***\n');
const maybe = mounted ? describe : describe.skip;
let dirs = 0;

afterAll(() => {
  if (mounted) spawnSync('umount', [root]);
  rmSync(root, { recursive: true, force: true });
});

/** Points that gzip barely shrinks, so each batch file takes a few pages. */
function noisy(n: number, seed: number): RawPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    metric: 'net.latency_ms', ts: 1_764_201_600_000 + seed * 1_000 + i, value: Math.random() * 1e6,
    tags: { district: '520103', node: `n-${Math.random().toString(36).slice(2)}` },
  }));
}

maybe('DiskBatchQueue on a full disk (tmpfs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(root, `q-${++dirs}`);
  });

  it('rejects the put that meets ENOSPC, leaves no trace of it, and stores again once there is room', async () => {
    const q = new DiskBatchQueue({ dir });
    await q.open();
    let failure: Error | undefined;
    let stored = 0;
    for (let i = 0; i < 500 && !failure; i++) {
      try {
        await q.put({ id: `c:b:${i + 1}`, createdAt: 1_764_201_600_000 + i, points: noisy(100, i) });
        stored++;
      } catch (err) {
        failure = err as Error;
      }
    }
    expect(failure?.message).toMatch(/cannot store batch c:b:\d+: .*ENOSPC/);
    expect(stored).toBeGreaterThan(2);
    expect(q.size().batches).toBe(stored);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.batch.gz'))).toHaveLength(stored);

    // Delivering the oldest frees room; the next put works, after the others in order.
    for (let i = 0; i < 3; i++) {
      const head = await q.peek();
      await q.remove(head!.id);
    }
    await q.put({ id: 'c:b:next', createdAt: 1_764_201_700_000, points: noisy(10, 999) });
    expect(q.size().batches).toBe(stored - 2);
    expect((await q.peek())?.id).toBe('c:b:4');

    // Full again: a second agent's spool still opens (empty LOCK), and its puts fail, counted by the caller.
    for (let i = 0; i < 100; i++) await q.put({ id: `c:b:fill${i}`, createdAt: 1_764_201_800_000, points: noisy(100, i) }).catch(() => {});
    const other = new DiskBatchQueue({ dir: join(root, `q-${++dirs}`), logger: new RecordingLogger() });
    await other.open();
    await expect(other.put({ id: 'd:b:1', createdAt: 1_764_201_800_000, points: noisy(100, 1) })).rejects.toThrow(/ENOSPC/);
    expect(other.size().batches).toBe(0);
    await other.close();
    await q.close();
    rmSync(dir, { recursive: true });
    rmSync(other.dir, { recursive: true });
  });
});

class SwitchableTransport implements Transport {
  up = false;
  readonly sent: IngestBatch[] = [];
  async send(batch: IngestBatch): Promise<SendOutcome> {
    if (!this.up) return { kind: 'retryable', error: 'ECONNREFUSED' };
    this.sent.push(batch);
    return { kind: 'accepted', status: 202, result: { accepted: batch.points.length, rejected: [] } };
  }
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

maybe('Agent with its spool on a full disk (tmpfs)', () => {
  it('counts the batches it cannot store as store_failed, keeps collecting, and recovers when the server takes the spool', async () => {
    const dir = join(root, `agent-${++dirs}`);
    let n = 0;
    const probe: Probe = { type: 'noisy', collect: async (ctx) => noisy(100, ++n).map((p, i) => ({ ...p, ts: ctx.now - i })) };
    const transport = new SwitchableTransport();
    const logger = new RecordingLogger();
    const config = configFromObject({
      server: { url: 'http://127.0.0.1:1', token: 't' },
      collector: { id: 'edge-01', district: '520103', flush_interval: '100ms' },
      spool: { dir },
    });
    const agent = new Agent({ config, transport, logger, selfMetrics: false, probes: [{ probe, intervalMs: 50 }], retry: { baseMs: 20, maxMs: 50 } });
    agent.start();
    try {
      await until('a batch refused by the full disk', () => agent.stats().dropped.store_failed.batches > 0);
      expect(agent.stats().state).toBe('running');
      const logged = logger.entries.find((e) => e.level === 'error' && (e.obj as { reason?: string }).reason === 'store_failed');
      expect(logged?.msg).toMatch(new RegExp(`^queue put failed: spool ${dir}: cannot store batch edge-01:.*ENOSPC`));
      const collected = agent.stats().pointsCollected;
      await until('more collections while the disk is full', () => agent.stats().pointsCollected > collected + 300);

      transport.up = true;
      await until('the spool drained', () => agent.stats().queueBatches === 0 && transport.sent.length > 0);
      const failed = agent.stats().dropped.store_failed.batches;
      const sent = transport.sent.length;
      await until('new batches stored and sent', () => transport.sent.length > sent + 5);
      expect(agent.stats().dropped.store_failed.batches).toBe(failed);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await agent.stop();
    }
  });
});
