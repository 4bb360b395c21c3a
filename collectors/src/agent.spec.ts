import { describe, expect, it } from '@jest/globals';
import { validatePoint, type IngestBatch, type RawPoint } from '@zhuyun/protocol';
import { Agent, type AgentOptions } from './agent.js';
import { configFromObject } from './config.js';
import type { Probe } from './probe.js';
import { MemoryBatchQueue } from './queue/memory.batch-queue.js';
import { ManualClock } from './testing/manual.clock.js';
import { RecordingLogger } from './testing/recording.logger.js';
import type { SendOutcome, Transport } from './transport/transport.js';
import { loadBuiltinProbes } from './probes/builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

/** A Transport that records every attempt and answers with `respond` (default: all accepted). */
class FakeTransport implements Transport {
  readonly attempts: Array<{ batch: IngestBatch; signal?: AbortSignal }> = [];
  respond: (batch: IngestBatch, attempt: number) => SendOutcome | Promise<SendOutcome> = (batch) => accepted(batch);
  async send(batch: IngestBatch, signal?: AbortSignal): Promise<SendOutcome> {
    this.attempts.push({ batch, signal });
    return this.respond(batch, this.attempts.length);
  }
  ids(): string[] {
    return this.attempts.map((a) => a.batch.batch);
  }
}

function accepted(batch: IngestBatch): SendOutcome {
  return { kind: 'accepted', status: 202, result: { accepted: batch.points.length, rejected: [] } };
}

/** A probe returning `n` valid points per collection, numbered so order can be checked. */
function counterProbe(n: number): Probe & { seq: number; closed: boolean } {
  return {
    type: 'counter',
    seq: 0,
    closed: false,
    async collect(ctx) {
      return Array.from({ length: n }, () => ({
        metric: 'net.up', ts: ctx.now, value: 1, tags: { district: '520103', node: `n-${++this.seq}` },
      }));
    },
    async close() {
      this.closed = true;
    },
  };
}

function setup(opts: { points?: number; batchSize?: number; interval?: number; agent?: Partial<AgentOptions> } = {}) {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const transport = new FakeTransport();
  const probe = counterProbe(opts.points ?? 3);
  const config = configFromObject({
    server: { url: 'http://127.0.0.1:1', token: 't' },
    collector: { id: 'edge-01', district: '520103', flush_interval: '1s', batch_size: opts.batchSize ?? 5_000 },
  });
  const agent = new Agent({
    config,
    probes: [{ probe, intervalMs: opts.interval ?? 1_000 }],
    transport,
    clock,
    logger,
    random: () => 0.5,
    bootId: 'boot1',
    retry: { baseMs: 1_000, maxMs: 8_000 },
    unauthorizedRetry: { baseMs: 30_000, maxMs: 120_000 },
    // These tests count points and batches exactly; self-metrics have their own spec.
    selfMetrics: false,
    ...opts.agent,
  });
  return { clock, logger, transport, probe, agent };
}

const seqOf = (id: string) => Number(id.split(':')[2]);
const nodesOf = (batches: IngestBatch[]) => batches.flatMap((b) => b.points.map((p) => p.tags.node));

describe('Agent', () => {
  it('sends batches with ids unique and increasing, every point once, in order', async () => {
    const { clock, transport, agent } = setup({ points: 3 });
    agent.start();
    await clock.advance(5_500);
    const ids = transport.ids();
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(ids.every((id) => /^edge-01:boot1:\d+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = ids.map(seqOf);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBe(1);
    expect(transport.attempts.every((a) => a.batch.collector === 'edge-01')).toBe(true);
    const nodes = nodesOf(transport.attempts.map((a) => a.batch));
    expect(nodes).toEqual(nodes.map((_, i) => `n-${i + 1}`));
    // The collection at 5 s lands after that second's flush: it waits in the buffer for the next.
    expect(agent.stats()).toMatchObject({ state: 'running', pointsCollected: 18, pointsSent: 15, bufferPoints: 3, batchesSent: ids.length, batchesFailed: 0, queueBatches: 0 });
  });

  it('gives each agent run its own boot id, so batch ids do not repeat across restarts', () => {
    const config = configFromObject({ server: { url: 'http://127.0.0.1:1', token: 't' }, collector: { id: 'edge-01', district: '520103' } });
    const ids = new Set(Array.from({ length: 20 }, () => new Agent({ config, transport: new FakeTransport(), logger: new RecordingLogger() }).bootId));
    expect(ids.size).toBe(20);
  });

  it('sends at once when a full batch is waiting, without waiting for the flush', async () => {
    const { clock, transport, agent } = setup({ points: 25, batchSize: 10 });
    agent.start();
    await clock.advance(0);
    // A full buffer is flushed whole: two full batches and the remainder, all before the first flush tick.
    expect(transport.attempts.map((a) => a.batch.points.length)).toEqual([10, 10, 5]);
    expect(clock.now()).toBeLessThan(Date.UTC(2025, 0, 6, 2, 0, 1));
  });

  it('drops and counts a batch the server refuses (400), and goes on with the next', async () => {
    const { clock, transport, agent, logger } = setup({ points: 2 });
    transport.respond = (batch, n) => (n === 1 ? { kind: 'rejected', status: 400, error: 'HTTP 400: points must be an array' } : accepted(batch));
    agent.start();
    await clock.advance(3_000);
    expect(agent.stats()).toMatchObject({ batchesDropped: 1, pointsDropped: 2, batchesFailed: 0, queueBatches: 0, lastError: 'HTTP 400: points must be an array' });
    expect(transport.ids()[0]).toBe('edge-01:boot1:1');
    expect(transport.ids().filter((id) => id === 'edge-01:boot1:1')).toHaveLength(1); // never resent
    expect(agent.stats().batchesSent).toBe(transport.attempts.length - 1);
    expect(logger.messages('error')).toContain('server refused the batch: dropped');
  });

  it('keeps batches on retryable failures, backs off exponentially, then sends them oldest first', async () => {
    const { clock, transport, agent } = setup({ points: 1 });
    let serverUp = false;
    transport.respond = (batch) => (serverUp ? accepted(batch) : { kind: 'retryable', status: 503, error: 'HTTP 503' });
    agent.start();
    await clock.advance(1_000); // first send fails: back-off 750 ms (random 0.5 of [500, 1000])
    expect(transport.ids()).toEqual(['edge-01:boot1:1']);
    await clock.advance(10_000);
    // Retries after 0.75 s, 1.5 s, 3 s (then 6 s, due after this window): always batch 1, the
    // oldest; the flushes in between send nothing.
    expect(transport.ids()).toEqual(Array(4).fill('edge-01:boot1:1'));
    expect(agent.stats()).toMatchObject({ batchesFailed: 4, batchesSent: 0, batchesDropped: 0, queueBatches: 11 });
    expect(agent.stats().retryAt).toBeGreaterThan(clock.now());

    serverUp = true;
    await clock.advance(8_000);
    const after = transport.ids().slice(4);
    expect(after.length).toBeGreaterThan(11);
    expect(after.map(seqOf)).toEqual(after.map((_, i) => i + 1)); // oldest first, each once, no gaps
    expect(agent.stats()).toMatchObject({ queueBatches: 0, batchesDropped: 0, pointsSent: agent.stats().pointsCollected - agent.stats().bufferPoints });
    expect(agent.stats().retryAt).toBeUndefined();
  });

  it('honours a Retry-After longer than its own back-off', async () => {
    const { clock, transport, agent } = setup({ points: 1 });
    transport.respond = (batch, n) => (n === 1 ? { kind: 'retryable', status: 429, error: 'HTTP 429', retryAfterMs: 20_000 } : accepted(batch));
    agent.start();
    await clock.advance(15_000);
    expect(transport.attempts).toHaveLength(1);
    await clock.advance(10_000);
    expect(transport.attempts.length).toBeGreaterThan(1);
    expect(agent.stats().queueBatches).toBe(0);
  });

  it('keeps batches on 401 and retries slowly until the token works', async () => {
    const { clock, transport, agent, logger } = setup({ points: 1 });
    let tokenOk = false;
    transport.respond = (batch) => (tokenOk ? accepted(batch) : { kind: 'unauthorized', status: 401, error: 'HTTP 401: revoked' });
    agent.start();
    await clock.advance(20_000);
    expect(transport.attempts).toHaveLength(1); // next try after 22.5 s, not every flush
    expect(agent.stats()).toMatchObject({ batchesFailed: 1, batchesDropped: 0, queueBatches: 20 });
    expect(logger.messages('error')).toContain('server refused the collector token (check server.token); batches kept, retrying');
    tokenOk = true;
    await clock.advance(5_000);
    expect(agent.stats()).toMatchObject({ queueBatches: 0, batchesDropped: 0, pointsSent: 25 });
  });

  it('evicts the oldest batches when the queue is full, and counts them', async () => {
    const { clock, transport, agent } = setup({
      points: 1_000,
      agent: { queue: new MemoryBatchQueue({ maxPoints: 3_000 }) },
    });
    transport.respond = () => ({ kind: 'retryable', error: 'ECONNREFUSED' });
    agent.start();
    await clock.advance(5_500);
    const stats = agent.stats();
    expect(stats.queuePoints).toBeLessThanOrEqual(3_000);
    expect(stats.batchesDropped).toBe(stats.batchesSealed - stats.queueBatches);
    expect(stats.pointsDropped).toBe(stats.batchesDropped * 1_000);
  });

  it('drops batches older than spool.max_age instead of sending them', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport();
    let up = false;
    transport.respond = (batch) => (up ? accepted(batch) : { kind: 'retryable', error: 'down' });
    const config = configFromObject({
      server: { url: 'http://127.0.0.1:1', token: 't' },
      collector: { id: 'edge-01', district: '520103', flush_interval: '1s' },
      spool: { max_age: '1m' },
    });
    const agent = new Agent({
      config, clock, transport, logger: new RecordingLogger(), random: () => 0.5, bootId: 'b',
      probes: [{ probe: counterProbe(1), intervalMs: 10_000 }], retry: { baseMs: 1_000, maxMs: 30_000 },
    });
    agent.start();
    await clock.advance(120_000);
    up = true;
    await clock.advance(30_000);
    const stats = agent.stats();
    expect(stats.batchesDropped).toBeGreaterThan(0);
    expect(stats.queueBatches).toBe(0);
    expect(stats.batchesSent + stats.batchesDropped).toBe(stats.batchesSealed);
  });

  it('fills in the collector district and drops points the server would refuse', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport();
    const logger = new RecordingLogger();
    const messy: Probe = {
      type: 'messy',
      async collect(ctx) {
        return [
          { metric: 'net.up', ts: ctx.now, value: 1, tags: { node: 'no-district' } },
          { metric: 'Net Up', ts: ctx.now, value: 1, tags: { district: '520103', node: 'a' } },
          { metric: 'net.up', ts: ctx.now, value: Number.NaN, tags: { district: '520103', node: 'b' } },
          { metric: 'net.up', ts: ctx.now, value: 1, tags: { district: '999999', node: 'c' } },
        ] as RawPoint[];
      },
    };
    const config = configFromObject({ server: { url: 'http://127.0.0.1:1', token: 't' }, collector: { id: 'edge-01', district: 'gy-etdz' } });
    const agent = new Agent({ config, clock, transport, logger, probes: [{ probe: messy, intervalMs: 1_000 }], selfMetrics: false });
    agent.start();
    await clock.advance(2_500);
    expect(agent.stats()).toMatchObject({ pointsCollected: 12, pointsInvalid: 9, pointsSent: 2, bufferPoints: 1 });
    expect(transport.attempts[0].batch.points).toEqual([
      { metric: 'net.up', ts: clock.now() - 2_500, value: 1, tags: { node: 'no-district', district: 'gy-etdz' } },
    ]);
    expect(logger.messages('warn')).toEqual(['invalid point dropped', 'invalid point dropped', 'invalid point dropped']); // once per fault
  });

  it('stop() sends what is buffered, closes the probes and stops collecting', async () => {
    const { clock, transport, agent, probe } = setup({ points: 2, interval: 300 });
    agent.start();
    await clock.advance(700); // three collections, no flush yet
    expect(transport.attempts).toHaveLength(0);
    const stats = await agent.stop();
    expect(stats).toMatchObject({ state: 'stopped', pointsCollected: 6, pointsSent: 6, queueBatches: 0, bufferPoints: 0 });
    expect(probe.closed).toBe(true);
    await clock.advance(10_000);
    expect(agent.stats().pointsCollected).toBe(6);
    expect(await agent.stop()).toBe(stats); // idempotent
    expect(clock.pendingCount).toBe(0);
  });

  it('stop() gives up after its timeout when the server hangs, aborting the send', async () => {
    const { clock, transport, agent, logger } = setup({ points: 2, agent: { stopTimeoutMs: 3_000 } });
    transport.respond = (_batch) => new Promise<SendOutcome>(() => {}); // never answers
    agent.start();
    await clock.advance(1_000);
    let stopped = false;
    const stopping = agent.stop().then((s) => {
      stopped = true;
      return s;
    });
    await clock.advance(2_000);
    expect(stopped).toBe(false);
    await clock.advance(1_000);
    const stats = await stopping;
    expect(stats.state).toBe('stopped');
    expect(stats.queueBatches).toBeGreaterThan(0);
    expect(transport.attempts[0].signal?.aborted).toBe(true);
    expect(logger.messages('warn')).toContain('stopping with batches not sent');
  });

  it('runs probes from config.probes through the registry (simulate), with points the server accepts', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport();
    const config = configFromObject({
      server: { url: 'http://127.0.0.1:1', token: 't' },
      collector: { id: 'sim-520103', district: '520103' },
      probes: [{ type: 'simulate', interval: '10s', units: ['520103'], platforms: true, seed: 3 }],
    });
    const agent = new Agent({ config, clock, transport, logger: new RecordingLogger() });
    agent.start();
    await clock.advance(30_000);
    await agent.stop();
    const points = transport.attempts.flatMap((a) => a.batch.points);
    expect(points.length).toBeGreaterThan(100);
    expect(points.every((p) => validatePoint(p, clock.now()).ok)).toBe(true);
    expect(agent.stats()).toMatchObject({ pointsInvalid: 0, probes: [{ name: 'simulate#0', failures: 0, runs: 4 }] });
  });
});
