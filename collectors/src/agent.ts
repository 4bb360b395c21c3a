import { randomBytes } from 'node:crypto';
import { seriesKey, validatePoint, type RawPoint } from '@zhuyun/protocol';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { AgentConfig } from './config.js';
import { createDefaultLogger, errorMessage, type Logger } from './logger.js';
import type { CollectorIdentity, ProbeRegistry } from './probe.js';
import { createBuiltinRegistry } from './probes/builtin.js';
import type { BatchQueue, BatchSummary, QueuedBatch } from './queue/batch-queue.js';
import { DiskBatchQueue } from './queue/disk.batch-queue.js';
import { MemoryBatchQueue } from './queue/memory.batch-queue.js';
import { Scheduler, type ProbeStats, type ScheduledProbe } from './scheduler.js';
import { HttpTransport } from './transport/http.transport.js';
import type { SendOutcome, Transport } from './transport/transport.js';

/**
 * What an Agent is made of. Only `config` is required; everything that touches the outside world
 * can be injected, which is how tests (fake transport, ManualClock) and the server's in-process
 * simulated fleet use it:
 *
 *   const sim = new SimulateProbe({ units: ['520103'], seed: 7 });
 *   const agent = new Agent({
 *     config: configFromObject({ server: { url, token }, collector: { id: 'sim-520103', district: '520103' } }, 'simulation'),
 *     probes: [{ probe: sim, intervalMs: 10_000, jitterMs: 2_000 }],
 *     transport: new HttpTransport({ url, token }),   // or any Transport, e.g. one calling the ingest service directly
 *     logger,
 *   });
 *   agent.start();
 *   sim.injectFault({ kind: 'link_down', node: '520103-acc-2', durationMs: 60_000 });
 *   ...
 *   await agent.stop();
 */
export interface AgentOptions {
  /** A validated config (parseConfig, loadConfigFile or configFromObject). */
  config: AgentConfig;
  /**
   * Probes already constructed, run beside those of `config.probes` (which are built through
   * `registry`). The caller keeps its references, e.g. to call `injectFault` on a SimulateProbe.
   */
  probes?: ScheduledProbe[];
  /** Builds `config.probes`; default: the built-in probe types. */
  registry?: ProbeRegistry;
  /** Default: HttpTransport to `config.server`. */
  transport?: Transport;
  /**
   * Default: a DiskBatchQueue in `config.spool.dir` when it is set (opened on first use; open it
   * yourself first to report a bad directory before starting, as the CLI does), else a
   * MemoryBatchQueue; both bounded by `config.spool`.
   */
  queue?: BatchQueue;
  /** pino-compatible; default JSON lines in pino's format on stdout (JsonLineLogger). */
  logger?: Logger;
  clock?: Clock;
  /** Start jitter and back-off jitter. */
  random?: () => number;
  /** Distinguishes this run's batch ids from earlier runs'; default: time + random. */
  bootId?: string;
  /** Back-off after a failed send (network, 5xx, 429). Default 1 s doubling to 60 s. */
  retry?: BackoffPolicy;
  /** Back-off after 401/403: nothing will change until an operator acts. Default 30 s doubling to 5 min. */
  unauthorizedRetry?: BackoffPolicy;
  /** How long `stop()` may spend sending what is left. Default 5 s. */
  stopTimeoutMs?: number;
  /**
   * Report the agent's own health as `collector.*` points every `config.collector.heartbeatMs`
   * (see SELF_METRICS). Default true; tests that count points exactly turn it off.
   */
  selfMetrics?: boolean;
  /** Keep a count of accepted points per series (`seriesCounts()`), for `--stats-file`. Default false. */
  countSeries?: boolean;
}

/** Why points were given up; each has its own count in AgentStats.dropped. */
export type DropReason = 'rejected' | 'queue_full' | 'expired' | 'corrupt' | 'store_failed';
export const DROP_REASONS: readonly DropReason[] = ['rejected', 'queue_full', 'expired', 'corrupt', 'store_failed'];

/**
 * The agent's own health, sent as ordinary points through the ingest path, tagged
 * `{district: <collector district>, node: <collector id>, collector: <collector id>}`, at start,
 * every `collector.heartbeat` (10 s) and at a clean stop. A collector that stops sending them is
 * lost; a node whose probes say it is down while its collector's heartbeat goes on is down.
 * Counters (`_total`) count since the agent process started.
 */
export const SELF_METRICS = {
  'collector.up': '1 while running; 0 once, at a clean stop (so "stopped" is told from "lost")',
  'collector.points_total': 'points gathered by the probes',
  'collector.spool_points': 'points sealed into batches and waiting to be sent (memory or disk)',
  'collector.spool_bytes': 'bytes of the disk spool (gzipped batch files); only with spool.dir',
  'collector.dropped_total': 'points given up, one series per tag reason: rejected (server answered 400/413), queue_full (spool bound), expired (spool.max_age), corrupt (unreadable spool file), store_failed (spool write failed)',
  'collector.rejected_total': 'points the server refused one by one inside accepted batches (e.g. a timestamp more than 5 min ahead of the server: this machine\'s clock is fast)',
  'collector.send_errors_total': 'send attempts that failed and will be retried (network, timeout, 5xx, 429, 401/403)',
  'collector.last_success_age_s': 'seconds since the server last acknowledged a batch (since the agent started, before the first)',
} as const;

/** The agent's own counters, for logs, `--check` output and the server's fleet view. */
export interface AgentStats {
  collector: string;
  bootId: string;
  state: 'new' | 'running' | 'stopping' | 'stopped';
  /** Points returned by probes. */
  pointsCollected: number;
  /** Points dropped before sending because the server would refuse them (validatePoint). */
  pointsInvalid: number;
  /** Points the server accepted. */
  pointsSent: number;
  /** Points the server refused one by one inside accepted batches. */
  pointsRejected: number;
  /** Points lost with dropped batches, all reasons together (see `dropped`). */
  pointsDropped: number;
  /** Self-metric points the agent made about itself (SELF_METRICS); not in pointsCollected. */
  pointsSelf: number;
  batchesSealed: number;
  /** Batches the server acknowledged (2xx). */
  batchesSent: number;
  /** Send attempts that failed and will be retried (network, 5xx, 429, 401...). */
  batchesFailed: number;
  /** Batches given up, all reasons together: see `dropped`. */
  batchesDropped: number;
  /**
   * What was given up, by reason: `rejected` (server answered 400/413/422), `queue_full` (spool
   * bound, oldest first), `expired` (older than spool.max_age), `corrupt` (a spool file found
   * torn or unreadable), `store_failed` (the queue could not store a new batch).
   */
  dropped: Record<DropReason, { batches: number; points: number }>;
  queueBatches: number;
  queuePoints: number;
  /** Bytes of the disk spool; absent with a memory queue. */
  queueBytes?: number;
  /** Points collected but not yet sealed into a batch. */
  bufferPoints: number;
  lastError?: string;
  lastSentAt?: number;
  /** Set while sending waits out a back-off. */
  retryAt?: number;
  probes: ProbeStats[];
}

type Counters = Omit<
  AgentStats,
  'collector' | 'bootId' | 'state' | 'queueBatches' | 'queuePoints' | 'queueBytes' | 'bufferPoints' | 'probes' | 'retryAt' | 'pointsDropped' | 'batchesDropped' | 'dropped'
>;

const DEFAULT_RETRY: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };
const DEFAULT_UNAUTHORIZED_RETRY: BackoffPolicy = { baseMs: 30_000, maxMs: 300_000 };
const MAX_LOGGED_INVALID = 50;

/**
 * One collector agent: scheduler → buffer → batches in a BatchQueue → transport.
 *
 * Points are buffered and sealed into a batch every `flushIntervalMs`, or at once when
 * `batchSize` points are waiting. A sealed batch gets its id (`${collectorId}:${bootId}:${n}`,
 * n counting up from 1) and goes into the queue before its first send; it leaves the queue only
 * when the server answered 2xx, or refused it for good (400/413: dropped and counted). Batches go
 * one at a time, oldest first; a failure stops sending until an exponential back-off with jitter
 * has passed, so a server coming back is not hit by every agent at once.
 */
export class Agent {
  readonly bootId: string;
  private readonly config: AgentConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly transport: Transport;
  private readonly queue: BatchQueue;
  private readonly scheduler: Scheduler;
  private readonly retry: BackoffPolicy;
  private readonly unauthorizedRetry: BackoffPolicy;
  private readonly stopTimeoutMs: number;
  private readonly identity: CollectorIdentity;

  private state: AgentStats['state'] = 'new';
  private buffer: RawPoint[] = [];
  private batchSeq = 0;
  private readonly counters: Counters = {
    pointsCollected: 0, pointsInvalid: 0, pointsSent: 0, pointsRejected: 0, pointsSelf: 0,
    batchesSealed: 0, batchesSent: 0, batchesFailed: 0,
  };
  /** Dropped by the agent; the queue's own `corrupted()` is added in stats(). */
  private readonly dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, { batches: 0, points: 0 }])) as Record<DropReason, { batches: number; points: number }>;
  private readonly selfMetrics: boolean;
  /** The "clock ahead" error was logged; quiet until a batch comes back without future points. */
  private clockWarned = false;
  /** A server warning (clock skew) was logged for the current run of warned batches. */
  private skewWarned = false;
  private readonly perSeries?: Map<string, number>;
  private startedAt?: number;
  /** Timestamp of the last self-metrics, so two heartbeats never share one (a series keeps one point per ts). */
  private lastSelfTs = 0;
  private heartbeatTimer?: TimerHandle;
  /** Puts into the queue, chained so batches enter it in the order they were sealed. */
  private puts: Promise<void> = Promise.resolve();
  private pumping?: Promise<void>;
  private flushTimer?: TimerHandle;
  private wakeTimer?: TimerHandle;
  private retryAt?: number;
  private failureStreak = 0;
  /** Aborts sends when stop() runs out of time. */
  private readonly shutdown = new AbortController();
  private stopping?: Promise<AgentStats>;
  private readonly invalidSeen = new Set<string>();

  constructor(options: AgentOptions) {
    const { config } = options;
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createDefaultLogger();
    this.random = options.random ?? Math.random;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.unauthorizedRetry = options.unauthorizedRetry ?? DEFAULT_UNAUTHORIZED_RETRY;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.bootId = options.bootId ?? `${this.clock.now().toString(36)}${randomBytes(2).toString('hex')}`;
    this.identity = { id: config.collector.id, district: config.collector.district };
    this.transport = options.transport ?? new HttpTransport({ url: config.server.url, token: config.server.token, timeoutMs: config.server.timeoutMs });
    this.queue =
      options.queue ??
      (config.spool.dir
        ? new DiskBatchQueue({ dir: config.spool.dir, maxPoints: config.spool.maxPoints, maxBytes: config.spool.maxBytes, logger: this.logger })
        : new MemoryBatchQueue({ maxPoints: config.spool.maxPoints }));
    this.selfMetrics = options.selfMetrics ?? true;
    if (options.countSeries) this.perSeries = new Map();

    const registry = options.registry ?? createBuiltinRegistry();
    const deps = { collector: this.identity, logger: this.logger };
    const fromConfig: ScheduledProbe[] = config.probes.map((p) => {
      const definition = registry.get(p.type);
      if (!definition) {
        throw new Error(
          registry.has(p.type)
            ? `probe type ${p.type} is not loaded: load it (await registry.load() or loadBuiltinProbes()) before creating the agent`
            : `probe type ${p.type} is not registered (known: ${registry.types().join(', ')})`,
        );
      }
      return { probe: definition.create(p.options, deps), name: p.name, intervalMs: p.intervalMs, timeoutMs: p.timeoutMs, jitterMs: p.jitterMs };
    });
    this.scheduler = new Scheduler({
      probes: [...fromConfig, ...(options.probes ?? [])],
      collector: this.identity,
      onPoints: (points, source) => this.accept(points, source.name),
      clock: this.clock,
      logger: this.logger,
      random: this.random,
    });
  }

  /** Starts the probes and the flush timer. Idempotent; an agent that was stopped stays stopped. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.startedAt = this.clock.now();
    this.scheduler.start();
    this.scheduleFlush();
    if (this.selfMetrics) this.heartbeat();
    this.logger.info(
      {
        collector: this.identity.id,
        district: this.identity.district,
        boot: this.bootId,
        probes: this.scheduler.stats().map((p) => p.name),
        server: this.transport instanceof HttpTransport ? this.transport.endpoint : 'injected transport',
      },
      'collector agent started',
    );
  }

  /**
   * Seals what is buffered into batches and sends the queue now (subject to back-off). Resolves
   * when this round of sending is over; it never rejects.
   */
  async flush(): Promise<void> {
    this.seal();
    await this.kick();
  }

  /**
   * Stops collecting, seals the buffer and sends what is queued, oldest first, ignoring any
   * back-off, for at most `stopTimeoutMs`; stops at the first failed send. What is left stays in
   * the queue (lost with a memory queue, kept by a disk spool). Closes probes and queue. Safe to
   * call more than once: later calls return the same result.
   */
  stop(): Promise<AgentStats> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  stats(): AgentStats {
    const size = this.queue.size();
    const dropped = { ...this.dropped, corrupt: this.queue.corrupted() };
    return {
      collector: this.identity.id,
      bootId: this.bootId,
      state: this.state,
      ...this.counters,
      pointsDropped: DROP_REASONS.reduce((n, r) => n + dropped[r].points, 0),
      batchesDropped: DROP_REASONS.reduce((n, r) => n + dropped[r].batches, 0),
      dropped,
      queueBatches: size.batches,
      queuePoints: size.points,
      ...(size.bytes !== undefined ? { queueBytes: size.bytes } : {}),
      bufferPoints: this.buffer.length,
      ...(this.retryAt !== undefined ? { retryAt: this.retryAt } : {}),
      probes: this.scheduler.stats(),
    };
  }

  private async doStop(): Promise<AgentStats> {
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.scheduler.stop();
    if (this.flushTimer !== undefined) this.clock.clearTimeout(this.flushTimer);
    if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    this.flushTimer = this.wakeTimer = this.heartbeatTimer = undefined;
    // The last word: collector.up 0 tells the server this collector was stopped, not lost.
    if (wasRunning && this.selfMetrics) this.pushSelfMetrics(0);
    this.seal();

    const deadline = this.clock.setTimeout(() => this.shutdown.abort(new Error('stop timeout')), this.stopTimeoutMs);
    const timedOut = new Promise<void>((resolve) => {
      if (this.shutdown.signal.aborted) resolve();
      this.shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // Let a send in progress finish, then one last round that ignores the back-off.
    if (wasRunning || this.queue.size().batches > 0 || this.pumping) {
      await Promise.race([(async () => {
        await this.pumping;
        await this.puts;
        if (!this.shutdown.signal.aborted) await this.pump(true);
      })(), timedOut]);
    }
    this.clock.clearTimeout(deadline);

    const left = this.queue.size();
    if (left.batches > 0) {
      this.logger.warn({ batches: left.batches, points: left.points }, 'stopping with batches not sent');
    }
    await Promise.all(
      this.scheduler.probes().map(async (probe) => {
        try {
          await probe.close?.();
        } catch (err) {
          this.logger.warn({ probe: probe.type, err: errorMessage(err) }, 'probe close failed');
        }
      }),
    );
    await this.queue.close();
    await this.transport.close?.().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'transport close failed'));
    this.state = 'stopped';
    const stats = this.stats();
    this.logger.info(
      { sent: stats.batchesSent, failed: stats.batchesFailed, dropped: stats.batchesDropped, points: stats.pointsSent },
      'collector agent stopped',
    );
    return stats;
  }

  /**
   * Points accepted into batches per series (the server's series key), since start. Empty unless
   * the agent was made with `countSeries`.
   */
  seriesCounts(): Record<string, number> {
    return Object.fromEntries(this.perSeries ?? []);
  }

  /** Self-metrics now, then every heartbeat interval while running. */
  private heartbeat(): void {
    this.pushSelfMetrics(1);
    this.heartbeatTimer = this.clock.setTimeout(() => {
      if (this.state === 'running') this.heartbeat();
    }, this.config.collector.heartbeatMs);
  }

  /** Buffers the SELF_METRICS points; they go out with the next flush like any other points. */
  private pushSelfMetrics(up: 0 | 1): void {
    const now = Math.max(this.clock.now(), this.lastSelfTs + 1);
    this.lastSelfTs = now;
    const stats = this.stats();
    const tags = { district: this.identity.district, node: this.identity.id, collector: this.identity.id };
    const point = (metric: keyof typeof SELF_METRICS, value: number, extra?: Record<string, string>): RawPoint => ({
      metric, ts: now, value, tags: extra ? { ...tags, ...extra } : tags,
    });
    const points: RawPoint[] = [
      point('collector.up', up),
      point('collector.points_total', stats.pointsCollected),
      point('collector.spool_points', stats.queuePoints),
      point('collector.rejected_total', stats.pointsRejected),
      point('collector.send_errors_total', stats.batchesFailed),
      point('collector.last_success_age_s', (now - (stats.lastSentAt ?? this.startedAt ?? now)) / 1_000),
      ...DROP_REASONS.map((reason) => point('collector.dropped_total', stats.dropped[reason].points, { reason })),
    ];
    if (stats.queueBytes !== undefined) points.push(point('collector.spool_bytes', stats.queueBytes));
    this.counters.pointsSelf += points.length;
    this.take(points, 'self-metrics', now);
  }

  /** Takes a probe's points: fills the default district, drops what the server would refuse. */
  private accept(points: RawPoint[], source: string): void {
    if (this.state !== 'running') return;
    this.counters.pointsCollected += points.length;
    this.take(points, source, this.clock.now());
  }

  private take(points: RawPoint[], source: string, now: number): void {
    for (const raw of points) {
      const point = raw?.tags && raw.tags.district === undefined ? { ...raw, tags: { ...raw.tags, district: this.identity.district } } : raw;
      const check = validatePoint(point, now);
      if (!check.ok) {
        this.counters.pointsInvalid++;
        const key = `${source}: ${check.error}`;
        // One warning per distinct fault, not per point: a buggy probe would flood the log.
        if (!this.invalidSeen.has(key) && this.invalidSeen.size < MAX_LOGGED_INVALID) {
          this.invalidSeen.add(key);
          this.logger.warn({ probe: source, err: check.error }, 'invalid point dropped');
        }
        continue;
      }
      if (this.perSeries) {
        const key = seriesKey(check.point.metric, check.point.tags);
        this.perSeries.set(key, (this.perSeries.get(key) ?? 0) + 1);
      }
      this.buffer.push(point);
    }
    if (this.buffer.length >= this.config.collector.batchSize) {
      this.seal();
      void this.kick();
    }
  }

  /** Cuts the buffer into batches, numbers them and hands them to the queue in order. */
  private seal(): void {
    const size = this.config.collector.batchSize;
    while (this.buffer.length > 0) {
      const points = this.buffer.length <= size ? this.buffer : this.buffer.slice(0, size);
      this.buffer = this.buffer.length <= size ? [] : this.buffer.slice(size);
      const batch: QueuedBatch = { id: `${this.identity.id}:${this.bootId}:${++this.batchSeq}`, createdAt: this.clock.now(), points };
      this.counters.batchesSealed++;
      this.puts = this.puts.then(async () => {
        try {
          const evicted = await this.queue.put(batch);
          if (evicted.length > 0) this.drop(evicted, 'queue_full', 'queue full: oldest batches dropped');
        } catch (err) {
          // A queue that cannot store (disk full, for a spool) loses this batch; say so loudly.
          this.drop([batch], 'store_failed', `queue put failed: ${errorMessage(err)}`);
        }
      });
    }
  }

  private drop(batches: Array<BatchSummary | QueuedBatch>, reason: DropReason, why: string, extra: Record<string, unknown> = {}): void {
    const points = batches.reduce((n, b) => n + (typeof b.points === 'number' ? b.points : b.points.length), 0);
    this.dropped[reason].batches += batches.length;
    this.dropped[reason].points += points;
    // A long expiry after an outage can drop thousands of batches: name a few, count all.
    this.logger.error({ reason, batches: batches.length, points, ids: batches.slice(0, 5).map((b) => b.id), ...extra }, why);
  }

  private scheduleFlush(): void {
    this.flushTimer = this.clock.setTimeout(() => {
      if (this.state !== 'running') return;
      this.scheduleFlush();
      void this.flush();
    }, this.config.collector.flushIntervalMs);
  }

  /** Starts a sending round unless one is running; resolves when the current round ends. */
  private kick(): Promise<void> {
    if (!this.pumping) {
      this.pumping = this.pump(false).finally(() => {
        this.pumping = undefined;
      });
    }
    return this.pumping;
  }

  /**
   * Sends queued batches oldest first until the queue is empty or a send fails. `final` (from
   * stop) ignores the back-off and gives up at the first failure instead of scheduling a retry.
   */
  private async pump(final: boolean): Promise<void> {
    for (;;) {
      await this.puts;
      if (this.shutdown.signal.aborted) return;
      if (!final && this.state !== 'running') return;
      const now = this.clock.now();
      if (!final && this.retryAt !== undefined && now < this.retryAt) return;
      let batch: QueuedBatch | undefined;
      try {
        const expired = await this.queue.expire(now - this.config.spool.maxAgeMs);
        if (expired.length > 0) this.drop(expired, 'expired', 'batches older than spool.max_age dropped');
        batch = await this.queue.peek();
      } catch (err) {
        this.logger.error({ err: errorMessage(err) }, 'queue read failed');
        return;
      }
      if (!batch) return;

      let outcome: SendOutcome;
      try {
        outcome = await this.transport.send({ collector: this.identity.id, batch: batch.id, points: batch.points }, this.shutdown.signal);
      } catch (err) {
        // The Transport contract says it never throws; a fake or a future one might.
        outcome = { kind: 'retryable', error: errorMessage(err) };
      }
      const settled = await this.settle(batch, outcome, final);
      if (!settled) return;
    }
  }

  /** Applies one send's outcome; true when the next batch may be sent at once. */
  private async settle(batch: QueuedBatch, outcome: SendOutcome, final: boolean): Promise<boolean> {
    switch (outcome.kind) {
      case 'accepted': {
        await this.queue.remove(batch.id);
        if (this.failureStreak > 0) {
          this.logger.info({ failures: this.failureStreak }, 'server reachable again, sending the queue');
        }
        this.failureStreak = 0;
        this.retryAt = undefined;
        this.counters.batchesSent++;
        this.counters.pointsSent += outcome.result.accepted;
        this.counters.pointsRejected += outcome.result.rejected.length;
        this.counters.lastSentAt = this.clock.now();
        const future = outcome.result.rejected.filter((r) => / is in the future/.test(r.error)).length;
        if (future === 0) this.clockWarned = false;
        if (outcome.result.rejected.length > 0) {
          if (future > 0 && !this.clockWarned) {
            // Said loudly once per run of such batches: the usual cause is this machine's clock.
            this.clockWarned = true;
            this.logger.error(
              { batch: batch.id, future, agentNow: new Date(this.clock.now()).toISOString() },
              'the server refuses points as in the future: this machine\'s clock is probably ahead of the server\'s (check NTP/chrony)',
            );
          }
          this.logger.warn(
            { batch: batch.id, rejected: outcome.result.rejected.length, first: outcome.result.rejected.slice(0, 3) },
            'server rejected some points',
          );
        }
        // The server took the points but says something about them (its clock against ours):
        // said once per run of such batches, as above.
        const warnings = outcome.result.warnings ?? [];
        if (warnings.length === 0) this.skewWarned = false;
        else if (!this.skewWarned) {
          this.skewWarned = true;
          for (const w of warnings) this.logger.warn({ batch: batch.id, code: w.code, skewMs: w.skewMs }, `server warns: ${w.message}`);
        }
        return true;
      }
      case 'rejected':
        // Resending cannot help: the server said this batch is wrong. Keep going with the next.
        await this.queue.remove(batch.id);
        this.counters.lastError = outcome.error;
        this.drop([batch], 'rejected', 'server refused the batch: dropped', { status: outcome.status, err: outcome.error });
        return true;
      case 'unauthorized':
      case 'retryable': {
        this.counters.batchesFailed++;
        this.counters.lastError = outcome.error;
        this.failureStreak++;
        if (final) return false;
        const policy = outcome.kind === 'unauthorized' ? this.unauthorizedRetry : this.retry;
        let delay = backoffDelay(this.failureStreak, policy, this.random);
        if (outcome.kind === 'retryable' && outcome.retryAfterMs !== undefined) delay = Math.max(delay, outcome.retryAfterMs);
        this.retryAt = this.clock.now() + delay;
        const fields = { batch: batch.id, err: outcome.error, failures: this.failureStreak, retryInMs: delay, queued: this.queue.size().batches };
        if (outcome.kind === 'unauthorized') {
          this.logger.error(fields, 'server refused the collector token (check server.token); batches kept, retrying');
        } else if (this.failureStreak === 1 || this.failureStreak % 20 === 0) {
          this.logger.warn(fields, 'cannot deliver batch; will retry');
        } else {
          this.logger.debug(fields, 'cannot deliver batch; will retry');
        }
        if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
        this.wakeTimer = this.clock.setTimeout(() => {
          this.wakeTimer = undefined;
          void this.kick();
        }, delay);
        return false;
      }
    }
  }
}
