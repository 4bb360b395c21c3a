/**
 * Counts events per key in a sliding window and says when a key is over its limit. Pure (time is
 * passed in); memory bounded by pruning keys whose window is empty.
 */
export class SlidingWindowLimiter {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until the key may try again; 0 when it is under its limit. */
  blockedFor(key: string, now: number): number {
    const list = this.prune(key, now);
    if (list.length < this.limit) return 0;
    return list[list.length - this.limit] + this.windowMs - now;
  }

  record(key: string, now: number): void {
    const list = this.prune(key, now);
    list.push(now);
    this.events.set(key, list);
    if (this.events.size > this.maxKeys) this.sweep(now);
  }

  reset(key: string): void {
    this.events.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const list = this.events.get(key) ?? [];
    let i = 0;
    while (i < list.length && list[i] <= now - this.windowMs) i++;
    if (i) list.splice(0, i);
    if (list.length === 0) this.events.delete(key);
    return list;
  }

  private sweep(now: number): void {
    for (const key of [...this.events.keys()]) this.prune(key, now);
  }
}

/** A token bucket per key: `rate` per second sustained, `burst` at once. Pure, time passed in. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** Takes `n` tokens; returns 0 when granted, else the ms until they would be. */
  take(key: string, now: number, n = 1): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= n) {
      b.tokens -= n;
      return 0;
    }
    return Math.ceil(((n - b.tokens) / this.rate) * 1000);
  }
}
