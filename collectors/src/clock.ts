/**
 * Time and timers as the agent sees them. Everything that waits (scheduler ticks, probe timeouts,
 * flushes, back-off) goes through a Clock, so tests drive time with `ManualClock` instead of
 * sleeping and asserting on wall-clock timings.
 */
/** Opaque: whatever the clock's setTimeout returned. */
export type TimerHandle = unknown;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` from now (0 or less: on the next turn). Returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};
