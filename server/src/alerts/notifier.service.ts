import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError, ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { AlertsStore } from './alerts.store.js';
import { ChannelInputSchema, channelWants, type Channel } from './notify/channels.js';
import { ALERT_METRICS, type AlertMetricsSink } from '../ops/alert-metrics.js';
import type { AlertNotice } from './notify/messages.js';
import { DEFAULT_RETRY, deliver, type DeliveryAttempt, type RetryPolicy } from './notify/webhook.sender.js';
import { parseInput } from '../common/validate.js';

/** A channel as the API serves it: the secret is never sent back, only whether there is one. */
export type ChannelView = Omit<Channel, 'secret'> & { hasSecret: boolean };

export function channelView(c: Channel): ChannelView {
  const { secret, ...rest } = c;
  return { ...rest, hasSecret: secret !== null };
}

/**
 * Notification channels and deliveries. `notify` hands a notice to every channel that takes it;
 * each delivery runs on its own (retries with backoff) and records every attempt. Deliveries in
 * flight at shutdown make no further attempts; retries are not resumed after a restart.
 */
@Injectable()
export class NotifierService implements OnModuleDestroy {
  private channels: Channel[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sleepers = new Set<() => void>();
  private stopped = false;
  /** Retry policy of new deliveries (tests shorten it). */
  retryPolicy: RetryPolicy = DEFAULT_RETRY;

  constructor(
    private readonly store: AlertsStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() @Inject(ALERT_METRICS) private readonly metrics?: AlertMetricsSink,
  ) {}

  async load(): Promise<void> {
    this.channels = await this.store.listChannels();
  }

  async onModuleDestroy() {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await this.idle();
  }

  /** Resolves when every delivery started so far has finished (its attempts recorded). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Sends a notice to every enabled channel whose filters take it; does not wait for delivery. */
  notify(notice: AlertNotice): void {
    if (this.stopped) return;
    for (const c of this.channels) {
      if (!channelWants(c, notice)) continue;
      const p = deliver(c, notice, {
        now: () => this.clock.now(),
        record: (a) => {
          this.metrics?.notificationAttempted(c.kind, a.status);
          return this.record(a);
        },
        policy: this.retryPolicy,
        sleep: (ms) => this.sleep(ms),
        stopped: () => this.stopped,
      }).then((last) => {
        if (last.status !== 'ok') this.log.warn({ channel: c.id, alert: notice.alertId, event: notice.event, error: last.error }, 'notification not delivered');
      });
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
  }

  private async record(a: DeliveryAttempt): Promise<void> {
    try {
      await this.store.insertDelivery(randomUUID(), a);
    } catch (err) {
      this.log.error({ err, alert: a.alertId }, 'could not record a delivery attempt');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.sleepers.add(done);
    });
  }

  list(): ChannelView[] {
    return this.channels.map(channelView);
  }

  get(id: string): ChannelView {
    const c = this.channels.find((x) => x.id === id);
    if (!c) throw new NotFoundError(`no notification channel ${id}`);
    return channelView(c);
  }

  async create(body: unknown): Promise<ChannelView> {
    const input = parseInput(ChannelInputSchema, body, 'notification channel');
    const now = this.clock.now();
    const c: Channel = { id: `ch-${randomUUID().slice(0, 8)}`, ...input, createdAt: now, updatedAt: now };
    await this.store.saveChannel(c);
    await this.load();
    return channelView(c);
  }

  /** Changes the given fields; a secret left out is kept, `secret: null` removes it. */
  async update(id: string, body: unknown): Promise<ChannelView> {
    const old = await this.store.getChannel(id);
    if (!old) throw new NotFoundError(`no notification channel ${id}`);
    const { id: _i, createdAt, updatedAt: _u, ...oldFields } = old;
    const merged = parseInput(ChannelInputSchema, { ...oldFields, ...patchObject(body) }, 'notification channel');
    const c: Channel = { id, ...merged, createdAt, updatedAt: this.clock.now() };
    await this.store.saveChannel(c);
    await this.load();
    return channelView(c);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.deleteChannel(id))) throw new NotFoundError(`no notification channel ${id}`);
    await this.load();
  }
}

/** A PUT body: an object whose fields replace the stored ones (the whole is validated after merging). */
export function patchObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('bad body: expected a JSON object of the fields to change');
  return body as Record<string, unknown>;
}
