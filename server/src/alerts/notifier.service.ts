import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError, ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { AlertsStore, type OutboxEntry } from './alerts.store.js';
import { ChannelInputSchema, channelWants, maskUrl, type Channel } from './notify/channels.js';
import { ALERT_METRICS, type AlertMetricsSink } from '../ops/alert-metrics.js';
import type { AlertNotice } from './notify/messages.js';
import { DEFAULT_RETRY, deliver, type DeliveryAttempt, type RetryPolicy } from './notify/webhook.sender.js';
import { parseInput } from '../common/validate.js';

/**
 * A channel as the API serves it: the secret is never sent back, only whether there is one. The URL
 * is whole only for those who may read credentials (`credentials`: admin and ops); a robot's URL
 * carries its credential (`access_token`, `key`, the hook id), so others get it masked (`maskUrl`).
 */
export type ChannelView = Omit<Channel, 'secret'> & { hasSecret: boolean; urlMasked: boolean };

export function channelView(c: Channel, credentials = true): ChannelView {
  const { secret, url, ...rest } = c;
  return { ...rest, url: credentials ? url : maskUrl(url), urlMasked: !credentials, hasSecret: secret !== null };
}

/**
 * Notification channels and deliveries. `notify` hands a notice to every channel that takes it;
 * each delivery runs on its own (retries with backoff) and records every attempt. A delivery is
 * written to the outbox (`alert_outbox`) before its first attempt and removed after its last, so a
 * delivery cut by a shutdown, a crash or a leader change is resumed by `resume()` (at start, or when
 * this instance becomes the leader) at the attempt it had reached: at least once, never forgotten.
 */
@Injectable()
export class NotifierService implements OnModuleDestroy {
  private channels: Channel[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Outbox ids being delivered by this instance (resume() skips them). */
  private readonly active = new Set<string>();
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
      const now = this.clock.now();
      const entry: OutboxEntry = { id: randomUUID(), channelId: c.id, notice, nextAttempt: 1, nextAt: now, createdAt: now };
      this.run(entry, c, () => this.store.insertOutbox(entry));
    }
  }

  /**
   * Resumes the outbox: every delivery not finished (by this process before a restart, or by a
   * leader that died) continues at its next attempt, when due. Deliveries whose channel was removed
   * are dropped from the outbox (logged).
   */
  async resume(): Promise<number> {
    if (this.stopped) return 0;
    let resumed = 0;
    for (const e of await this.store.listOutbox()) {
      if (this.active.has(e.id)) continue;
      const c = this.channels.find((x) => x.id === e.channelId);
      if (!c) {
        this.log.warn({ channel: e.channelId, alert: e.notice.alertId }, 'notification dropped: its channel no longer exists');
        await this.store.deleteOutbox(e.id);
        continue;
      }
      resumed++;
      this.run(e, c, () => this.sleep(Math.max(0, e.nextAt - this.clock.now())));
    }
    if (resumed) this.log.info({ resumed }, 'notifications resumed from the outbox');
    return resumed;
  }

  /** One delivery of the outbox: `before` (store it, or wait until due), then its attempts. */
  private run(e: OutboxEntry, c: Channel, before: () => Promise<void>): void {
    this.active.add(e.id);
    const p = (async () => {
      await before();
      if (this.stopped) return;
      const last = await deliver(c, e.notice, {
        now: () => this.clock.now(),
        record: async (a) => {
          this.metrics?.notificationAttempted(c.kind, a.status);
          await this.record(a);
          if (a.status === 'retrying') await this.store.rescheduleOutbox(e.id, a.attempt + 1, a.nextAt ?? this.clock.now());
          else await this.store.deleteOutbox(e.id);
        },
        policy: this.retryPolicy,
        sleep: (ms) => this.sleep(ms),
        stopped: () => this.stopped,
        firstAttempt: Math.min(e.nextAttempt, this.retryPolicy.maxAttempts),
      });
      if (last.status === 'failed') this.log.warn({ channel: c.id, alert: e.notice.alertId, event: e.notice.event, error: last.error }, 'notification not delivered');
    })()
      .catch((err) => this.log.error({ err, alert: e.notice.alertId, channel: c.id }, 'notification outbox failed'))
      .finally(() => {
        this.active.delete(e.id);
        this.inFlight.delete(p);
      });
    this.inFlight.add(p);
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

  /** Every channel; `credentials` false masks their URLs (see ChannelView). */
  list(credentials: boolean): ChannelView[] {
    return this.channels.map((c) => channelView(c, credentials));
  }

  get(id: string, credentials: boolean): ChannelView {
    const c = this.channels.find((x) => x.id === id);
    if (!c) throw new NotFoundError(`no notification channel ${id}`);
    return channelView(c, credentials);
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
