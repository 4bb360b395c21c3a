/** One counted event: `pending` while the work it guards (a password check) is still running. */
export interface Slot {
  at: number;
  pending: boolean;
}

/**
 * Counts events per key in a sliding window and says when a key is over its limit. Pure (time is
 * passed in); memory bounded by pruning keys whose window is empty.
 *
 * An event is recorded when the attempt starts, not when it has failed (issue 13): a check and a
 * record with no await between them are atomic in Node, so concurrent attempts cannot all pass
 * `blockedFor` before any of them is counted. An attempt that turns out not to count (a successful
 * login) gives its slot back with `refund`.
 */
export class SlidingWindowLimiter {
  private readonly events = new Map<string, Slot[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until the key may try again; 0 when it is under its limit. Pending slots count. */
  blockedFor(key: string, now: number): number {
    const list = this.prune(key, now);
    if (list.length < this.limit) return 0;
    return list[list.length - this.limit].at + this.windowMs - now;
  }

  /** Counts an event now; the slot returned is settled, refunded or left pending by the caller. */
  record(key: string, now: number, pending = false): Slot {
    const list = this.prune(key, now);
    const slot = { at: now, pending };
    list.push(slot);
    this.events.set(key, list);
    if (this.events.size > this.maxKeys) this.sweep(now);
    return slot;
  }

  /** Takes back a slot: the attempt it counted does not count after all. */
  refund(key: string, slot: Slot): void {
    const list = this.events.get(key);
    const i = list?.indexOf(slot) ?? -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) this.events.delete(key);
  }

  /**
   * Forgets the key's settled events (a successful login clears the earlier failures) and keeps
   * those still pending, so that attempts in flight stay counted.
   */
  clearSettled(key: string): void {
    const list = this.events.get(key)?.filter((s) => s.pending);
    if (list?.length) this.events.set(key, list);
    else this.events.delete(key);
  }

  reset(key: string): void {
    this.events.delete(key);
  }

  private prune(key: string, now: number): Slot[] {
    const list = this.events.get(key) ?? [];
    let i = 0;
    while (i < list.length && list[i].at <= now - this.windowMs) i++;
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
