import type { Clock, TimerHandle } from '../clock.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * A Clock that moves only when told. `advance(ms)` fires due timers in time order (same time: in
 * the order they were set), letting promise chains settle after each, so a test sees what the agent
 * did "after 30 s" without waiting 30 s or asserting on real timings.
 *
 * Exported for the server's tests too (a simulated fleet driven by a manual clock).
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  /** Default start: Monday 2025-01-06 10:00 Beijing time, a working-day peak. */
  constructor(start = Date.UTC(2025, 0, 6, 2, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { id, at: this.current + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as number);
  }

  /** Timers not yet fired. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (including timers
   * set by those timers), each at its own time.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.pending.delete(next.id);
      this.current = Math.max(this.current, next.at);
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Sets the time without firing anything (a jump, as after a suspended laptop). */
  set(now: number): void {
    this.current = now;
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending.values()) {
      if (p.at <= limit && (!best || p.at < best.at || (p.at === best.at && p.id < best.id))) best = p;
    }
    return best;
  }
}

/**
 * Lets pending promise callbacks run. A few macrotask turns, because a chain of awaits across
 * several async functions needs more than one microtask checkpoint to reach its end.
 */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
