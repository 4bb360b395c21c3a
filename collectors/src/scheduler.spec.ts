import { describe, expect, it } from '@jest/globals';
import type { RawPoint } from '@zhuyun/protocol';
import type { Probe, ProbeContext } from './probe.js';
import { Scheduler, type ScheduledProbe } from './scheduler.js';
import { ManualClock } from './testing/manual.clock.js';
import { RecordingLogger } from './testing/recording.logger.js';

const collector = { id: 'test-01', district: '520103' };

function point(ts: number, node = 'n1'): RawPoint {
  return { metric: 'net.up', ts, value: 1, tags: { district: '520103', node } };
}

/** A probe that records the contexts it was called with and answers with `behave`. */
function probe(type: string, behave: (ctx: ProbeContext) => Promise<RawPoint[]> | RawPoint[]): Probe & { calls: ProbeContext[] } {
  const calls: ProbeContext[] = [];
  return {
    type,
    calls,
    async collect(ctx) {
      calls.push(ctx);
      return behave(ctx);
    },
  };
}

function setup(probes: ScheduledProbe[], opts: { random?: () => number } = {}) {
  const clock = new ClockWithStart();
  const logger = new RecordingLogger();
  const delivered: Array<{ name: string; points: RawPoint[] }> = [];
  const scheduler = new Scheduler({
    probes,
    collector,
    clock,
    logger,
    random: opts.random ?? (() => 0),
    onPoints: (points, source) => delivered.push({ name: source.name, points }),
  });
  return { clock, logger, delivered, scheduler };
}

class ClockWithStart extends ManualClock {
  readonly t0 = this.now();
}

describe('Scheduler', () => {
  it('runs a probe at once and then every interval, with the collection time as ctx.now', async () => {
    const p = probe('good', (ctx) => [point(ctx.now)]);
    const { clock, delivered, scheduler } = setup([{ probe: p, intervalMs: 10_000 }]);
    scheduler.start();
    await clock.advance(35_000);
    expect(p.calls.map((c) => c.now - clock.t0)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(p.calls[0].collector).toEqual(collector);
    expect(delivered.map((d) => d.name)).toEqual(['good#0', 'good#0', 'good#0', 'good#0']);
    expect(scheduler.stats()[0]).toMatchObject({ runs: 4, successes: 4, failures: 0, points: 4 });
  });

  it('delays the first run by the start jitter and keeps the interval from there', async () => {
    const p = probe('good', () => []);
    const { clock, scheduler } = setup([{ probe: p, intervalMs: 10_000, jitterMs: 4_000 }], { random: () => 0.5 });
    scheduler.start();
    await clock.advance(25_000);
    expect(p.calls.map((c) => c.now - clock.t0)).toEqual([2_000, 12_000, 22_000]);
  });

  it('keeps a good probe running beside probes that throw, reject, return garbage or hang', async () => {
    const good = probe('good', (ctx) => [point(ctx.now)]);
    const throwing: Probe = {
      type: 'throwing',
      collect() {
        throw new Error('boom (sync)');
      },
    };
    const rejecting = probe('rejecting', async () => {
      throw new Error('boom (async)');
    });
    const garbage = probe('garbage', () => 'not points' as unknown as RawPoint[]);
    const hanging = probe('hanging', () => new Promise<RawPoint[]>(() => {})); // ignores its signal
    const { clock, delivered, scheduler } = setup([
      { probe: good, intervalMs: 1_000 },
      { probe: throwing, intervalMs: 1_000 },
      { probe: rejecting, intervalMs: 1_000 },
      { probe: garbage, intervalMs: 1_000 },
      { probe: hanging, intervalMs: 1_000, timeoutMs: 500 },
    ]);
    scheduler.start();
    await clock.advance(9_999);

    const stats = Object.fromEntries(scheduler.stats().map((s) => [s.type, s]));
    expect(stats.good).toMatchObject({ runs: 10, successes: 10, failures: 0, points: 10 });
    expect(stats.throwing).toMatchObject({ runs: 10, successes: 0, failures: 10, lastError: 'boom (sync)' });
    expect(stats.rejecting).toMatchObject({ runs: 10, failures: 10, lastError: 'boom (async)' });
    expect(stats.garbage).toMatchObject({ runs: 10, failures: 10 });
    expect(stats.garbage.lastError).toMatch(/not an array/);
    // The hung collection times out once, is aborted, and later ticks are skipped, not stacked.
    expect(stats.hanging).toMatchObject({ runs: 1, failures: 1, timeouts: 1, skipped: 9 });
    expect(hanging.calls[0].signal.aborted).toBe(true);
    expect(delivered.every((d) => d.name === 'good#0')).toBe(true);
  });

  it('discards the late answer of a timed-out probe and runs it again once it settled', async () => {
    let release: ((points: RawPoint[]) => void) | undefined;
    const slow = probe('slow', (ctx) =>
      ctx.now === clockStart ? new Promise<RawPoint[]>((resolve) => (release = resolve)) : [point(ctx.now)],
    );
    const { clock, delivered, scheduler } = setup([{ probe: slow, intervalMs: 1_000, timeoutMs: 300 }]);
    const clockStart = clock.t0;
    scheduler.start();
    await clock.advance(1_500); // tick at 1 s skipped: the first collection has not settled
    release!([point(clock.now(), 'late')]);
    await clock.advance(1_000); // tick at 2 s runs
    expect(scheduler.stats()[0]).toMatchObject({ runs: 2, successes: 1, timeouts: 1, skipped: 1 });
    expect(delivered.flatMap((d) => d.points.map((p) => p.tags.node))).toEqual(['n1']);
  });

  it('logs the first failure of a streak as a warning, the rest at debug, and the recovery', async () => {
    let failing = true;
    const flaky = probe('flaky', async () => {
      if (failing) throw new Error('target refused');
      return [];
    });
    const { clock, logger, scheduler } = setup([{ probe: flaky, intervalMs: 1_000 }]);
    scheduler.start();
    await clock.advance(2_500);
    failing = false;
    await clock.advance(1_000);
    expect(logger.messages('warn')).toEqual(['probe failed']);
    expect(logger.messages('debug')).toEqual(['probe failed', 'probe failed']);
    expect(logger.messages('info')).toEqual(['probe recovered']);
    expect(scheduler.stats()[0]).toMatchObject({ failures: 3, consecutiveFailures: 0, successes: 1 });
  });

  it('survives a points handler that throws', async () => {
    const p = probe('good', (ctx) => [point(ctx.now)]);
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const scheduler = new Scheduler({
      probes: [{ probe: p, intervalMs: 1_000 }],
      collector,
      clock,
      logger,
      onPoints() {
        throw new Error('handler bug');
      },
    });
    scheduler.start();
    await clock.advance(2_000);
    expect(p.calls).toHaveLength(3);
    expect(logger.messages('error')).toEqual(['points handler failed', 'points handler failed', 'points handler failed']);
  });

  it('stops: no more ticks, collections in flight aborted and their results dropped', async () => {
    let release: ((points: RawPoint[]) => void) | undefined;
    const p = probe('slow', () => new Promise<RawPoint[]>((resolve) => (release = resolve)));
    const { clock, delivered, scheduler } = setup([{ probe: p, intervalMs: 1_000, timeoutMs: 900 }]);
    scheduler.start();
    await clock.advance(100);
    scheduler.stop();
    expect(p.calls[0].signal.aborted).toBe(true);
    release!([point(clock.now())]);
    await clock.advance(10_000);
    expect(p.calls).toHaveLength(1);
    expect(delivered).toEqual([]);
    expect(scheduler.stats()[0]).toMatchObject({ failures: 0, timeouts: 0 });
    expect(clock.pendingCount).toBe(0);
  });

  it('refuses two probes with the same name', () => {
    const p = probe('x', () => []);
    expect(() => setup([{ probe: p, intervalMs: 1_000, name: 'a' }, { probe: p, intervalMs: 1_000, name: 'a' }])).toThrow(/named a/);
  });
});
