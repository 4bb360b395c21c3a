import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestBatch, RawPoint } from '@zhuyun/protocol';
import { Agent, type AgentOptions } from './agent.js';
import { configFromObject } from './config.js';
import type { Probe } from './probe.js';
import { DiskBatchQueue } from './queue/disk.batch-queue.js';
import { RecordingLogger } from './testing/recording.logger.js';
import type { SendOutcome, Transport } from './transport/transport.js';

/**
 * The agent with its disk spool, on the real clock and the real file system (fsync and all): the
 * flush and probe intervals are 100 ms and the back-off tens of ms, and every wait polls for a
 * state with a deadline. Nothing asserts on how long anything took.
 */
const root = mkdtempSync(join(tmpdir(), 'zhuyun-agent-spool-'));
let dirs = 0;
const freshDir = () => join(root, `spool-${++dirs}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

class FakeTransport implements Transport {
  readonly attempts: IngestBatch[] = [];
  respond: (batch: IngestBatch) => SendOutcome = accepted;
  async send(batch: IngestBatch): Promise<SendOutcome> {
    this.attempts.push(batch);
    return this.respond(batch);
  }
  ids(): string[] {
    return this.attempts.map((b) => b.batch);
  }
}

function accepted(batch: IngestBatch): SendOutcome {
  return { kind: 'accepted', status: 202, result: { accepted: batch.points.length, rejected: [] } };
}

/** One point per collection, numbered, so loss and doubling show. */
function counter(): Probe & { n: number } {
  return {
    type: 'counter',
    n: 0,
    async collect(ctx) {
      return [{ metric: 'net.up', ts: ctx.now, value: ++this.n, tags: { district: '520103', node: 'yy-core-1' } }];
    },
  };
}

function makeAgent(dir: string, transport: Transport, probe: Probe, extra: Partial<AgentOptions> = {}) {
  const config = configFromObject({
    server: { url: 'http://127.0.0.1:1', token: 't' },
    collector: { id: 'edge-01', district: '520103', flush_interval: '100ms' },
    spool: { dir },
  });
  return new Agent({
    config, transport, logger: new RecordingLogger(), selfMetrics: false,
    probes: [{ probe, intervalMs: 100 }],
    retry: { baseMs: 20, maxMs: 80 },
    unauthorizedRetry: { baseMs: 100, maxMs: 200 },
    ...extra,
  });
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const spoolFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.batch.gz'));
const values = (batches: IngestBatch[]) => batches.flatMap((b) => b.points.map((p: RawPoint) => p.value));

describe('Agent with the disk spool', () => {
  it('sends what an earlier run left first, oldest first, under the ids it had', async () => {
    const dir = freshDir();
    const earlier = new DiskBatchQueue({ dir });
    for (let n = 1; n <= 3; n++) {
      await earlier.put({ id: `edge-01:old:${n}`, createdAt: Date.now() - 60_000 + n, points: [{ metric: 'net.up', ts: Date.now() - 60_000 + n, value: -n, tags: { district: '520103', node: 'yy-core-1' } }] });
    }
    await earlier.close();

    const transport = new FakeTransport();
    const agent = makeAgent(dir, transport, counter(), { bootId: 'new' });
    agent.start();
    await until('five batches sent', () => agent.stats().batchesSent >= 5);
    await agent.stop();
    const ids = transport.ids();
    expect(ids.slice(0, 3)).toEqual(['edge-01:old:1', 'edge-01:old:2', 'edge-01:old:3']);
    expect(ids.slice(3).map((id) => Number(id.split(':')[2]))).toEqual(ids.slice(3).map((_, i) => i + 1));
    expect(new Set(ids).size).toBe(ids.length);
    expect(spoolFiles(dir)).toEqual([]);
  });

  it('on 401 keeps every batch on disk and backs off; a 400 then drops only its batch, counted', async () => {
    const dir = freshDir();
    const transport = new FakeTransport();
    let phase: 'unauthorized' | 'open' = 'unauthorized';
    const refused = 'edge-01:b:3';
    transport.respond = (batch) =>
      phase === 'unauthorized'
        ? { kind: 'unauthorized', status: 401, error: 'HTTP 401: revoked' }
        : batch.batch === refused
          ? { kind: 'rejected', status: 400, error: 'HTTP 400: not a batch' }
          : accepted(batch);
    const agent = makeAgent(dir, transport, counter(), { bootId: 'b' });
    agent.start();
    await until('three 401s and six batches waiting', () => transport.attempts.length >= 3 && agent.stats().queueBatches >= 6);
    // Backing off: always the oldest batch again, nothing dropped, everything on disk.
    expect(new Set(transport.ids())).toEqual(new Set(['edge-01:b:1']));
    expect(agent.stats()).toMatchObject({ batchesDropped: 0, pointsDropped: 0 });
    expect(agent.stats().batchesFailed).toBe(transport.attempts.length);
    expect(agent.stats().retryAt).toBeDefined();
    expect(spoolFiles(dir).length).toBeGreaterThanOrEqual(6);

    const unauthorizedAttempts = transport.attempts.length;
    phase = 'open';
    await until('the backlog sent', () => agent.stats().batchesSent >= 8 && agent.stats().queueBatches <= 1);
    const stats = await agent.stop();
    const after = transport.attempts.slice(unauthorizedAttempts);
    // Oldest first, each once; batch 3 tried once and dropped; nothing else lost.
    expect(after.map((b) => Number(b.batch.split(':')[2]))).toEqual(after.map((_, i) => i + 1));
    const sentValues = values(after.filter((b) => b.batch !== refused));
    const refusedValues = values(after.filter((b) => b.batch === refused));
    // A batch holds the collections of one flush (one, or two when the timers drift together).
    expect(refusedValues.length).toBeGreaterThan(0);
    expect(stats.dropped.rejected).toEqual({ batches: 1, points: refusedValues.length });
    expect(stats).toMatchObject({ batchesDropped: 1, pointsDropped: refusedValues.length, queueBatches: 0 });
    expect([...sentValues, ...refusedValues].sort((a, b) => a - b)).toEqual(Array.from({ length: stats.pointsCollected }, (_, i) => i + 1));
    expect(spoolFiles(dir)).toEqual([]);
  });

  it('stopped while the server is down, leaves its batches on disk; the next run sends them: nothing lost, nothing doubled', async () => {
    const dir = freshDir();
    const down = new FakeTransport();
    down.respond = () => ({ kind: 'retryable', error: 'ECONNREFUSED' });
    const probe = counter();
    const first = makeAgent(dir, down, probe, { bootId: 'run1' });
    first.start();
    await until('ten batches spooled', () => first.stats().queueBatches >= 10);
    const firstStats = await first.stop();
    expect(firstStats.queueBatches).toBeGreaterThanOrEqual(10);
    expect(spoolFiles(dir)).toHaveLength(firstStats.queueBatches);
    expect(firstStats.queueBytes).toBeGreaterThan(0);
    expect(firstStats.queuePoints).toBe(firstStats.pointsCollected);

    const up = new FakeTransport();
    const second = makeAgent(dir, up, probe, { bootId: 'run2' });
    second.start();
    await until('the spool drained and new batches sent', () => second.stats().batchesSent >= firstStats.queueBatches + 3);
    const secondStats = await second.stop();
    const run1 = up.attempts.filter((b) => b.batch.includes(':run1:'));
    expect(up.attempts.slice(0, run1.length)).toEqual(run1); // the old run's batches first
    expect(run1.map((b) => Number(b.batch.split(':')[2]))).toEqual(run1.map((_, i) => i + 1));
    expect(values(up.attempts).sort((a, b) => a - b)).toEqual(Array.from({ length: probe.n }, (_, i) => i + 1));
    expect(secondStats).toMatchObject({ pointsDropped: 0, queueBatches: 0, pointsSent: probe.n });
    expect(spoolFiles(dir)).toEqual([]);
  });

  it('reports the spool in bytes among its self-metrics', async () => {
    const dir = freshDir();
    const transport = new FakeTransport();
    transport.respond = () => ({ kind: 'retryable', error: 'ECONNREFUSED' });
    const config = configFromObject({
      server: { url: 'http://127.0.0.1:1', token: 't' },
      collector: { id: 'edge-01', district: '520103', flush_interval: '100ms', heartbeat: '1s' },
      spool: { dir },
    });
    const agent = new Agent({ config, transport, logger: new RecordingLogger(), probes: [{ probe: counter(), intervalMs: 100 }], retry: { baseMs: 20, maxMs: 50 } });
    agent.start();
    await until('a second heartbeat', () => agent.stats().pointsSelf >= 22);
    transport.respond = accepted;
    await until('delivery', () => agent.stats().batchesSent > 3 && agent.stats().queueBatches === 0);
    await agent.stop();
    const bytes = transport.attempts.flatMap((b) => b.points).filter((p) => p.metric === 'collector.spool_bytes').map((p) => p.value);
    expect(bytes.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...bytes)).toBeGreaterThan(0);
  });
});
