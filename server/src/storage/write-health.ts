import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { HealthRegistry } from '../ops/health.registry.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from './time-series.store.js';

/**
 * Readiness from what writes actually do (issue 13 item 11). A damaged tsdb.sqlite or a full disk
 * left `SELECT 1` answering while every write failed (503) and /readyz said ready. The rule:
 * not ready while the latest write failed, or while at least FAILED_FOR_NOT_READY of the last
 * RECENT_WRITES failed within WINDOW_MS; ready again once neither holds (a success, and the old
 * failures out of the window).
 */
export const WINDOW_MS = 30_000;
export const RECENT_WRITES = 10;
export const FAILED_FOR_NOT_READY = 3;
/** While not ready, how often the store's probe write runs (see StoreWriteHealth). */
export const PROBE_EVERY_MS = 5_000;

export type WriteVerdict = { ok: true } | { ok: false; message: string; since: number };

/** The last RECENT_WRITES outcomes and the verdict on them. Pure: time comes in as arguments. */
export class WriteHealth {
  private readonly outcomes: Array<{ at: number; error?: string }> = [];

  record(at: number, error?: string): void {
    this.outcomes.push(error === undefined ? { at } : { at, error });
    if (this.outcomes.length > RECENT_WRITES) this.outcomes.shift();
  }

  verdict(now: number): WriteVerdict {
    const latest = this.outcomes.at(-1);
    if (!latest) return { ok: true };
    const failed = this.outcomes.filter((o) => o.error !== undefined && o.at >= now - WINDOW_MS);
    if (latest.error === undefined && failed.length < FAILED_FOR_NOT_READY) return { ok: true };
    const lastFailure = [...this.outcomes].reverse().find((o) => o.error !== undefined)!;
    const since = (failed[0] ?? lastFailure).at;
    const counted = this.outcomes.filter((o) => o.at >= now - WINDOW_MS).length;
    return {
      ok: false,
      since,
      message:
        `writes to the time-series store fail since ${new Date(since).toISOString()}: ` +
        `${failed.length} of the last ${counted} within ${WINDOW_MS / 1000} s` +
        `${latest.error !== undefined ? ', the latest too' : ''}; last error at ${new Date(lastFailure.at).toISOString()}: ${lastFailure.error}`,
    };
  }
}

/**
 * Watches every write of the time-series store and reports the verdict to /readyz as the check
 * `tsdb-write`. A not-ready instance gets no traffic from a load balancer, so real writes alone
 * could never bring it back: while not ready, the store's `probeWrite` (a small real write to the
 * same file) runs every PROBE_EVERY_MS and counts as a write. Recovery is thus by itself: the
 * next successful write, real or probe, once the failures have left the window. A store without
 * a probe (InfluxDB, whose writes go to its outbox) recovers with the next successful real write.
 */
@Injectable()
export class StoreWriteHealth implements OnModuleInit, OnApplicationShutdown {
  readonly health = new WriteHealth();
  private timer?: NodeJS.Timeout;
  private probing = false;

  constructor(
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    private readonly registry: HealthRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    const write = this.store.write.bind(this.store);
    // Patches the instance as timeStore does (no wrapper object: the store keeps its class).
    this.store.write = async (points) => {
      try {
        await write(points);
        this.record();
      } catch (err) {
        this.record(err);
        throw err;
      }
    };
    this.registry.register('tsdb-write', async () => {
      const v = this.health.verdict(this.clock.now());
      if (!v.ok) throw new Error(v.message);
    });
    this.timer = setInterval(() => void this.probe(), PROBE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One probe write when not ready and the store has one; its outcome is recorded. */
  async probe(): Promise<void> {
    if (this.probing || !this.store.probeWrite || this.health.verdict(this.clock.now()).ok) return;
    this.probing = true;
    try {
      await this.store.probeWrite();
      this.record();
    } catch (err) {
      this.record(err);
    } finally {
      this.probing = false;
    }
  }

  private record(err?: unknown): void {
    const now = this.clock.now();
    const wasOk = this.health.verdict(now).ok;
    this.health.record(now, err === undefined ? undefined : err instanceof Error ? err.message : String(err));
    const v = this.health.verdict(now);
    if (wasOk && !v.ok) this.log.error({ reason: v.message }, 'time-series writes failing: not ready');
    else if (!wasOk && v.ok) this.log.info('time-series writes succeed again: ready');
  }
}
