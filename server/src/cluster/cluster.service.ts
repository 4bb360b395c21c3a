import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Point } from '@zhuyun/protocol';
import { createClient } from 'redis';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig, type ClusterConfig } from '../config/config.js';
import { HealthRegistry } from '../ops/health.registry.js';
import { StatusService } from '../status/status.service.js';
import { LeaderLease, type LeaderListener } from './leader-lease.js';

export type RedisClient = ReturnType<typeof createClient>;

/** Connects to REDIS_URL, with errors logged (node-redis reconnects by itself). */
export async function connectRedis(url: string, log: Logger, name: string): Promise<RedisClient> {
  // No offline queue: while Redis is away a command fails at once (the lease stops leading, a
  // point message is dropped) instead of piling up and running late.
  const client = createClient({ url, socket: { connectTimeout: 5_000 }, disableOfflineQueue: true });
  let lastError = '';
  client.on('error', (err: Error) => {
    // One line per distinct failure, not one per reconnect attempt.
    if (err.message !== lastError) log.warn({ err: err.message, client: name }, 'redis connection trouble');
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) log.info({ client: name }, 'redis connection back');
    lastError = '';
  });
  await client.connect();
  return client;
}

/** Signals between instances: something stored changed that every instance must reload. */
export type ClusterSignal = 'alerts.changed' | 'sla.changed' | 'sessions.ended';

interface PointsMessage {
  from: string;
  points: readonly Point[];
}

/**
 * Shared live state (docs/SCALE.md). With REDIS_URL, every batch of accepted points an instance
 * stored is published once (one message per ingest request) on `<prefix>:points`; every other
 * instance applies it to its StatusService as if it had ingested it, so each LiveState, the
 * alert engine and SLA scoring see all the points of the deployment. Also the leader lease
 * (jobs that must run once) and small signals. Without REDIS_URL: a single instance, always leader.
 */
@Injectable()
export class ClusterService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private pub?: RedisClient;
  private sub?: RedisClient;
  private lease?: LeaderLease;
  private readonly cfg?: ClusterConfig;
  private remote = false;
  private stopPoints?: () => void;
  private readonly signalListeners = new Map<ClusterSignal, Set<(data: unknown) => void>>();
  private readonly leaderListeners = new Set<LeaderListener>();
  /** Points and messages moved, for the overhead figures in docs/SCALE.md. */
  readonly stats = { published: 0, publishedPoints: 0, received: 0, receivedPoints: 0, publishMs: 0, applyMs: 0, dropped: 0 };
  private lastDropWarning = -Infinity;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    private readonly status: StatusService,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() private readonly health?: HealthRegistry,
  ) {
    this.cfg = config.cluster;
  }

  /**
   * True while points another instance ingested are being applied (StatusService.onPoints
   * listeners that store sums, like SLA facts, take only their own instance's points).
   */
  get applyingRemote(): boolean {
    return this.remote;
  }

  /** True when several instances may run (REDIS_URL set). */
  get clustered(): boolean {
    return this.cfg !== undefined;
  }

  /** This instance's name (ZHUYUN_INSTANCE or generated); `single` without REDIS_URL. */
  get instance(): string {
    return this.cfg?.instance ?? 'single';
  }

  async onModuleInit() {
    const cfg = this.cfg;
    if (!cfg) return;
    this.pub = await connectRedis(cfg.redisUrl, this.log, 'cluster');
    // /readyz: Redis answers (docs/OPERATIONS.md, the readiness registry).
    const pub = this.pub;
    this.health?.register('redis', async () => {
      await pub.ping();
    });
    this.sub = this.pub.duplicate();
    this.sub.on('error', () => undefined);
    await this.sub.connect();
    await this.sub.subscribe(this.channel('points'), (raw) => this.receivePoints(raw));
    await this.sub.subscribe(this.channel('signal'), (raw) => this.receiveSignal(raw));
    this.stopPoints = this.status.onPoints((points) => this.publishPoints(points));
    this.lease = new LeaderLease(this.pub, {
      key: `${cfg.prefix}:leader`,
      holder: cfg.instance,
      ttlMs: 5_000,
      renewMs: 1_000,
      onError: (err) => this.log.warn({ err: (err as Error).message }, 'leader lease: redis failed'),
    });
    this.lease.onChange((leader) => {
      this.log.info({ instance: cfg.instance, leader }, leader ? 'this instance leads: jobs that run once run here' : 'this instance no longer leads');
      for (const l of this.leaderListeners) l(leader);
    });
    this.log.info({ instance: cfg.instance, prefix: cfg.prefix }, 'cluster: sharing live state over redis');
    await this.lease.start();
  }

  /** Releases the lease once the engines have flushed (their onModuleDestroy ran before this). */
  async beforeApplicationShutdown() {
    this.stopPoints?.();
    await this.lease?.stop();
  }

  async onApplicationShutdown() {
    for (const c of [this.sub, this.pub]) {
      if (!c) continue;
      // QUIT when Redis answers; else drop the connection.
      await Promise.race([c.quit(), new Promise((_, reject) => setTimeout(reject, 2_000).unref())]).catch(() => {
        try {
          c.destroy();
        } catch {
          // already closed
        }
      });
    }
  }

  /** Whether the jobs that must run once across instances run here. Always true without Redis. */
  isLeader(): boolean {
    return this.lease ? this.lease.isLeader() : true;
  }

  /** Hears leadership changes (never called without Redis). Returns its removal. */
  onLeaderChange(listener: LeaderListener): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /** Tells every other instance (not this one) that something changed; `data` is JSON. */
  signal(kind: ClusterSignal, data?: unknown): void {
    if (!this.pub) return;
    void this.pub.publish(this.channel('signal'), JSON.stringify({ from: this.instance, kind, data })).catch((err: Error) => this.log.warn({ err: err.message }, 'cluster signal not sent'));
  }

  onSignal(kind: ClusterSignal, listener: (data: unknown) => void): () => void {
    let set = this.signalListeners.get(kind);
    if (!set) this.signalListeners.set(kind, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private channel(name: string) {
    return `${this.cfg!.prefix}:${name}`;
  }

  private publishPoints(points: readonly Point[]) {
    if (this.remote || !points.length || !this.pub) return;
    const t0 = performance.now();
    const msg: PointsMessage = { from: this.instance, points };
    const raw = JSON.stringify(msg);
    this.stats.published++;
    this.stats.publishedPoints += points.length;
    // The points are durable already; a lost message costs the other instances one update of
    // their live view (the next point of each series corrects it), never a stored point.
    void this.pub.publish(this.channel('points'), raw).catch((err: Error) => {
      this.stats.dropped += points.length;
      // Once per 10 s, not once per batch, while Redis is away.
      const now = performance.now();
      if (now - this.lastDropWarning < 10_000) return;
      this.lastDropWarning = now;
      this.log.warn({ err: err.message, droppedSinceStart: this.stats.dropped }, 'cluster: points not shared with the other instances (stored all the same)');
    });
    this.stats.publishMs += performance.now() - t0;
  }

  private receivePoints(raw: string) {
    let msg: PointsMessage;
    try {
      msg = JSON.parse(raw) as PointsMessage;
    } catch {
      return;
    }
    if (msg.from === this.instance || !Array.isArray(msg.points)) return;
    const t0 = performance.now();
    this.remote = true;
    try {
      this.status.apply(msg.points);
    } finally {
      this.remote = false;
    }
    this.stats.received++;
    this.stats.receivedPoints += msg.points.length;
    this.stats.applyMs += performance.now() - t0;
  }

  private receiveSignal(raw: string) {
    try {
      const { from, kind, data } = JSON.parse(raw) as { from: string; kind: ClusterSignal; data?: unknown };
      if (from === this.instance) return;
      for (const l of this.signalListeners.get(kind) ?? []) l(data);
    } catch (err) {
      this.log.warn({ err }, 'cluster: bad signal');
    }
  }
}
