import { describe, expect, it } from '@jest/globals';
import { METRIC_NAME, validatePoint, type IngestBatch, type RawPoint } from '@zhuyun/protocol';
import { Agent, SELF_METRICS } from './agent.js';
import { configFromObject } from './config.js';
import type { Probe } from './probe.js';
import { ManualClock } from './testing/manual.clock.js';
import { RecordingLogger } from './testing/recording.logger.js';
import type { SendOutcome, Transport } from './transport/transport.js';

class FakeTransport implements Transport {
  readonly batches: IngestBatch[] = [];
  respond: (batch: IngestBatch) => SendOutcome = (batch) => ({ kind: 'accepted', status: 202, result: { accepted: batch.points.length, rejected: [] } });
  async send(batch: IngestBatch): Promise<SendOutcome> {
    this.batches.push(batch);
    return this.respond(batch);
  }
  /** Self-metric points that reached the server (answered 2xx), in order. */
  delivered(): RawPoint[] {
    return this.batches.filter((b) => this.respond(b).kind === 'accepted').flatMap((b) => b.points).filter((p) => p.metric.startsWith('collector.'));
  }
}

function setup(probes: Probe[] = []) {
  const clock = new ManualClock();
  const transport = new FakeTransport();
  const config = configFromObject({
    server: { url: 'http://127.0.0.1:1', token: 't' },
    collector: { id: 'wudang-edge-01', district: '520112', flush_interval: '1s', heartbeat: '10s' },
  });
  const agent = new Agent({
    config, clock, transport, logger: new RecordingLogger(), random: () => 0.5, bootId: 'b1',
    probes: probes.map((probe) => ({ probe, intervalMs: 1_000 })),
    retry: { baseMs: 1_000, maxMs: 4_000 },
  });
  return { clock, transport, agent };
}

const latest = (points: RawPoint[], metric: string, reason?: string) =>
  points.filter((p) => p.metric === metric && (reason === undefined || p.tags.reason === reason)).at(-1)?.value;

describe('Agent self-metrics (heartbeat)', () => {
  it('reports itself at start and every heartbeat, with no probe at all, as valid points of its own node', async () => {
    const { clock, transport, agent } = setup();
    agent.start();
    await clock.advance(35_000);
    const points = transport.batches.flatMap((b) => b.points);
    const ups = points.filter((p) => p.metric === 'collector.up');
    expect(ups.map((p) => p.ts - ups[0].ts)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(ups.every((p) => p.value === 1)).toBe(true);
    for (const p of points) {
      expect(p.metric).toMatch(METRIC_NAME);
      expect(Object.keys(SELF_METRICS)).toContain(p.metric);
      expect(p.tags).toMatchObject({ district: '520112', node: 'wudang-edge-01', collector: 'wudang-edge-01' });
      expect(validatePoint(p, clock.now()).ok).toBe(true);
    }
    // One heartbeat: up, points, spool, rejected, send errors, last success age, dropped by each of 5 reasons.
    expect(points.filter((p) => p.ts === ups[1].ts)).toHaveLength(11);
    expect(points.filter((p) => p.metric === 'collector.dropped_total').map((p) => p.tags.reason).slice(0, 5).sort()).toEqual(
      ['corrupt', 'expired', 'queue_full', 'rejected', 'store_failed'],
    );
    // No spool_bytes with a memory queue: there are no bytes to count.
    expect(points.some((p) => p.metric === 'collector.spool_bytes')).toBe(false);
    expect(agent.stats().pointsSelf).toBe(44);
    expect(agent.stats().pointsCollected).toBe(0);
    await agent.stop();
  });

  it('shows an outage: send errors and spool grow, last success ages; then catches up', async () => {
    const probe: Probe = { type: 'one', collect: async (ctx) => [{ metric: 'net.up', ts: ctx.now, value: 1, tags: { node: 'wd-core-1' } }] };
    const { clock, transport, agent } = setup([probe]);
    agent.start();
    await clock.advance(5_000);
    const ok = transport.respond;
    transport.respond = () => ({ kind: 'retryable', error: 'ECONNREFUSED' });
    await clock.advance(60_000);
    transport.respond = ok;
    await clock.advance(15_000);
    const points = transport.delivered();
    // The heartbeats of the outage arrive late, from the queue, in order.
    const ups = points.filter((p) => p.metric === 'collector.up').map((p) => p.ts);
    expect(ups).toEqual([...ups].sort((a, b) => a - b));
    expect(ups.length).toBe(9); // 0 s, 10 s ... 80 s
    const during = points.filter((p) => p.ts === ups[6]); // the heartbeat at 60 s, 55 s into the outage
    expect(latest(during, 'collector.send_errors_total')).toBeGreaterThan(0);
    expect(latest(during, 'collector.spool_points')).toBeGreaterThan(40);
    expect(latest(during, 'collector.last_success_age_s')).toBeGreaterThanOrEqual(55);
    const after = points.filter((p) => p.ts === ups[8]);
    expect(latest(after, 'collector.last_success_age_s')).toBeLessThanOrEqual(1);
    expect(latest(after, 'collector.dropped_total', 'rejected')).toBe(0);
    await agent.stop();
  });

  it('counts points the server refused under reason rejected', async () => {
    const probe: Probe = { type: 'one', collect: async (ctx) => [{ metric: 'net.up', ts: ctx.now, value: 1, tags: { node: 'wd-core-1' } }] };
    const { clock, transport, agent } = setup([probe]);
    let refuse = true;
    transport.respond = (batch) =>
      refuse && batch.points.some((p) => p.metric === 'net.up')
        ? { kind: 'rejected', status: 400, error: 'HTTP 400' }
        : { kind: 'accepted', status: 202, result: { accepted: batch.points.length, rejected: [] } };
    agent.start();
    await clock.advance(3_500);
    refuse = false;
    await clock.advance(10_000);
    const stats = agent.stats();
    expect(stats.dropped.rejected.batches).toBeGreaterThan(0);
    const heartbeat = transport.batches.flatMap((b) => b.points).filter((p) => p.metric === 'collector.dropped_total' && p.tags.reason === 'rejected').at(-1);
    expect(heartbeat?.value).toBe(stats.dropped.rejected.points);
    await agent.stop();
  });

  it('says collector.up 0 as its last word on a clean stop', async () => {
    const { clock, transport, agent } = setup();
    agent.start();
    await clock.advance(12_000);
    await agent.stop();
    const ups = transport.batches.flatMap((b) => b.points).filter((p) => p.metric === 'collector.up');
    expect(ups.map((p) => p.value)).toEqual([1, 1, 0]);
    expect(agent.stats()).toMatchObject({ state: 'stopped', queueBatches: 0, bufferPoints: 0 });
  });

  it('can be turned off', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport();
    const config = configFromObject({ server: { url: 'http://127.0.0.1:1', token: 't' }, collector: { id: 'e', district: '520112' } });
    const agent = new Agent({ config, clock, transport, logger: new RecordingLogger(), selfMetrics: false });
    agent.start();
    await clock.advance(30_000);
    await agent.stop();
    expect(transport.batches).toEqual([]);
  });
});
