import type { RawPoint } from '@zhuyun/protocol';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { errorMessage, silentLogger, type Logger } from './logger.js';
import type { CollectorIdentity, Probe } from './probe.js';

/** A probe with its timing, ready to run. */
export interface ScheduledProbe {
  probe: Probe;
  /** Unique within the scheduler; default `<type>#<index>`. */
  name?: string;
  intervalMs: number;
  /** Default: the interval. */
  timeoutMs?: number;
  /** The first run waits a random [0, jitter) ms; default 0. */
  jitterMs?: number;
}

export interface ProbeStats {
  name: string;
  type: string;
  /** Collections started. */
  runs: number;
  successes: number;
  /** Collections that threw, rejected, returned something else than an array, or timed out. */
  failures: number;
  /** Of the failures, those that passed their timeout. */
  timeouts: number;
  /** Ticks not run because the previous collection had not settled yet. */
  skipped: number;
  /** Points returned by successful collections. */
  points: number;
  consecutiveFailures: number;
  lastError?: string;
  lastSuccessAt?: number;
}

export interface SchedulerOptions {
  probes: readonly ScheduledProbe[];
  collector: CollectorIdentity;
  /**
   * Receives the points of each successful collection, in completion order. Called synchronously
   * from the scheduler; an exception here is logged and does not stop the schedule.
   */
  onPoints(points: RawPoint[], source: { name: string; type: string }): void;
  clock?: Clock;
  logger?: Logger;
  /** Source of the start jitter; injectable so tests can pin it. */
  random?: () => number;
}

interface Entry {
  spec: ScheduledProbe;
  name: string;
  intervalMs: number;
  timeoutMs: number;
  jitterMs: number;
  stats: ProbeStats;
  timer?: TimerHandle;
  /** The collection in flight, until it settles (even after its timeout fired). */
  inFlight?: Promise<unknown>;
}

const TIMEOUT = Symbol('timeout');

/**
 * Runs each probe on its own interval. Isolation is the point: a probe that throws, rejects or
 * hangs costs its own collections and nothing else. Ticks are anchored to the first run (no drift
 * from collection time); ticks missed while the process was busy are skipped, not caught up.
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly entries: Entry[];
  private started = false;
  private stopped = false;
  private readonly stopController = new AbortController();

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    const names = new Set<string>();
    this.entries = options.probes.map((spec, i) => {
      const name = spec.name ?? `${spec.probe.type}#${i}`;
      if (names.has(name)) throw new Error(`two probes are named ${name}`);
      names.add(name);
      if (!(spec.intervalMs > 0)) throw new Error(`probe ${name}: intervalMs must be > 0`);
      return {
        spec,
        name,
        intervalMs: spec.intervalMs,
        timeoutMs: spec.timeoutMs ?? spec.intervalMs,
        jitterMs: spec.jitterMs ?? 0,
        stats: {
          name, type: spec.probe.type, runs: 0, successes: 0, failures: 0, timeouts: 0, skipped: 0, points: 0, consecutiveFailures: 0,
        },
      };
    });
  }

  /** Schedules every probe's first run (after its start jitter). Calling it again does nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const now = this.clock.now();
    for (const entry of this.entries) {
      const delay = entry.jitterMs > 0 ? Math.floor(this.random() * entry.jitterMs) : 0;
      this.schedule(entry, now + delay);
    }
  }

  /**
   * Cancels all ticks and aborts collections in flight; their late results are discarded. Does
   * not wait for them: a probe that ignores its signal must not hold up shutdown. Idempotent.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const entry of this.entries) {
      if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    this.stopController.abort(new Error('agent stopping'));
  }

  /** A snapshot of each probe's counters, in configuration order. */
  stats(): ProbeStats[] {
    return this.entries.map((e) => ({ ...e.stats }));
  }

  /** The probes, for close() at shutdown. */
  probes(): Probe[] {
    return this.entries.map((e) => e.spec.probe);
  }

  private schedule(entry: Entry, at: number): void {
    entry.timer = this.clock.setTimeout(() => this.tick(entry, at), at - this.clock.now());
  }

  private tick(entry: Entry, scheduledAt: number): void {
    if (this.stopped) return;
    const now = this.clock.now();
    let next = scheduledAt + entry.intervalMs;
    if (next <= now) next += Math.ceil((now - next + 1) / entry.intervalMs) * entry.intervalMs;
    this.schedule(entry, next);

    if (entry.inFlight) {
      entry.stats.skipped++;
      this.logger.debug({ probe: entry.name }, 'previous collection still running: tick skipped');
      return;
    }
    void this.run(entry);
  }

  private async run(entry: Entry): Promise<void> {
    const { stats } = entry;
    stats.runs++;
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, this.stopController.signal]);
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<typeof TIMEOUT>((resolve) => {
      timer = this.clock.setTimeout(() => {
        abort.abort(new DOMException(`collection took longer than ${entry.timeoutMs} ms`, 'TimeoutError'));
        resolve(TIMEOUT);
      }, entry.timeoutMs);
    });
    // Promise.resolve().then() turns a synchronous throw in collect() into a rejection.
    const collection = Promise.resolve().then(() =>
      entry.spec.probe.collect({ now: this.clock.now(), signal, collector: this.options.collector }),
    );
    // The probe counts as busy until its own promise settles, even after its timeout has been
    // reported, so a hung probe makes later ticks be skipped rather than stacked on top of it.
    const settled: Promise<void> = collection.then(
      () => undefined,
      () => undefined,
    );
    entry.inFlight = settled;
    void settled.then(() => {
      if (entry.inFlight === settled) entry.inFlight = undefined;
    });
    let outcome: { ok: true; points: unknown } | { ok: false; error: unknown; timeout?: boolean };
    try {
      const result = await Promise.race([collection, timedOut]);
      outcome = result === TIMEOUT ? { ok: false, error: new Error(`timed out after ${entry.timeoutMs} ms`), timeout: true } : { ok: true, points: result };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      this.clock.clearTimeout(timer);
    }

    if (outcome.ok && !Array.isArray(outcome.points)) {
      outcome = { ok: false, error: new Error(`collect() returned ${typeof outcome.points}, not an array of points`) };
    }

    if (this.stopped && outcome.ok) return; // late results after stop are dropped, see stop()
    if (outcome.ok) {
      const points = outcome.points as RawPoint[];
      if (stats.consecutiveFailures > 0) {
        this.logger.info({ probe: entry.name, failures: stats.consecutiveFailures }, 'probe recovered');
      }
      stats.successes++;
      stats.points += points.length;
      stats.consecutiveFailures = 0;
      stats.lastSuccessAt = this.clock.now();
      try {
        this.options.onPoints(points, { name: entry.name, type: entry.spec.probe.type });
      } catch (error) {
        this.logger.error({ probe: entry.name, err: errorMessage(error) }, 'points handler failed');
      }
      return;
    }
    if (this.stopped) return; // aborted by stop(): not a probe failure
    stats.failures++;
    if (outcome.timeout) stats.timeouts++;
    stats.consecutiveFailures++;
    stats.lastError = errorMessage(outcome.error);
    // Log the first failure of a streak loudly and the rest quietly: a probe that fails every
    // 10 s must not flood the log, and its recovery is logged above.
    const log = stats.consecutiveFailures === 1 ? this.logger.warn.bind(this.logger) : this.logger.debug.bind(this.logger);
    log({ probe: entry.name, err: stats.lastError, failures: stats.consecutiveFailures }, outcome.timeout ? 'probe timed out' : 'probe failed');
  }
}
