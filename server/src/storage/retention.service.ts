import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterService } from '../cluster/cluster.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from './time-series.store.js';

/** How often expired data is removed; the first sweep runs a minute after start. */
const EVERY_MS = 3_600_000;
const FIRST_AFTER_MS = 60_000;

/**
 * Removes expired points and rollups on a schedule. The store deletes in small steps, so ingest
 * goes on during a sweep; sweeps never overlap.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() private readonly cluster?: ClusterService,
  ) {}

  onApplicationBootstrap() {
    const schedule = (ms: number) => {
      this.timer = setTimeout(() => {
        // Several instances (docs/SCALE.md): the leader sweeps; the others skip their turn.
        const mine = this.cluster?.isLeader() ?? true;
        void (mine ? this.sweep() : Promise.resolve()).finally(() => schedule(EVERY_MS));
      }, ms);
      this.timer.unref();
    };
    schedule(FIRST_AFTER_MS);
  }

  async onModuleDestroy() {
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep now (also for tests and the admin). */
  sweep(): Promise<void> {
    this.running ??= (async () => {
      const started = this.clock.now();
      try {
        const removed = await this.store.applyRetention(started);
        this.log.info({ removed, ms: this.clock.now() - started }, 'retention sweep');
      } catch (err) {
        this.log.error({ err }, 'retention sweep failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
