/**
 * A leader lease in Redis (docs/SCALE.md): `SET <key> <instance> NX PX <ttl>` takes it, a script
 * that checks the holder renews it (PEXPIRE) and releases it (DEL), so an instance never extends or
 * drops a lease it lost. The holder renews every `renewMs`; when it dies the key expires after at
 * most `ttlMs` and the next attempt of another instance (every `renewMs`) takes it over. No Nest,
 * no config: a Redis connection and a timer, so it is tested against a real Redis.
 */

/** What the lease needs of a Redis client (node-redis `sendCommand`). */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

export interface LeaseOptions {
  /** The Redis key (with the deployment's prefix). */
  key: string;
  /** This instance's name: the key's value while it holds the lease. */
  holder: string;
  /** How long the lease lasts without renewal. Default 5 s. */
  ttlMs?: number;
  /** How often the holder renews and the others try. Default ttl / 3. */
  renewMs?: number;
  /** Told about failures (a Redis error is not a crash: the instance just does not lead). */
  onError?: (err: unknown) => void;
}

export type LeaderListener = (leader: boolean) => void;

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LeaderLease {
  private leader = false;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private running?: Promise<void>;
  /** Local time (performance.now) until which the last successful take/renew holds the lease. */
  private validUntil = 0;
  private readonly listeners = new Set<LeaderListener>();
  readonly ttlMs: number;
  readonly renewMs: number;

  constructor(
    private readonly redis: RedisCommands,
    private readonly opts: LeaseOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 5_000;
    this.renewMs = opts.renewMs ?? Math.max(50, Math.floor(this.ttlMs / 3));
    if (this.renewMs >= this.ttlMs) throw new Error('the lease must be renewed more often than it lasts');
  }

  /** True while this instance holds the lease (and its last renewal is not older than the ttl). */
  isLeader(): boolean {
    if (this.leader && performance.now() > this.validUntil) this.set(false);
    return this.leader;
  }

  /** Hears every change (true: became leader, false: no longer). Returns its removal. */
  onChange(listener: LeaderListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tries at once, then every renewMs. Resolves after the first attempt. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.attempt();
    this.schedule();
  }

  /** Stops trying and gives the lease up when held (so another instance takes it at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Bounded: a Redis that does not answer must not hold the shutdown up (the key then expires).
    await within(this.running, this.ttlMs);
    if (!this.leader) return;
    this.set(false);
    try {
      await within(this.redis.sendCommand(['EVAL', RELEASE, '1', this.opts.key, this.opts.holder]), this.ttlMs);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.attempt().finally(() => this.schedule());
    }, this.renewMs);
    this.timer.unref();
  }

  /** One take-or-renew. */
  attempt(): Promise<void> {
    this.running ??= (async () => {
      const started = performance.now();
      try {
        const { key, holder } = this.opts;
        const ttl = String(this.ttlMs);
        let held: boolean;
        if (this.leader) {
          held = Number(await this.redis.sendCommand(['EVAL', RENEW, '1', key, holder, ttl])) === 1;
        } else {
          held = (await this.redis.sendCommand(['SET', key, holder, 'NX', 'PX', ttl])) === 'OK';
        }
        if (this.stopped) return;
        // Counted from before the command was sent: Redis's clock started the ttl later than that.
        if (held) this.validUntil = started + this.ttlMs;
        this.set(held);
      } catch (err) {
        this.opts.onError?.(err);
        // Unsure whether Redis still has our key: lead no longer than the last renewal allows.
        this.isLeader();
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private set(leader: boolean) {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const l of this.listeners) {
      try {
        l(leader);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }
}

/** The promise, or undefined after `ms`. */
function within<T>(p: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!p) return Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}
