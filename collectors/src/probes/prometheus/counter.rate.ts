/**
 * Per-second rate of a Prometheus counter between two scrapes: pure, no clock.
 *
 * A counter that went down was reset (its process restarted): no rate that round and the new
 * value is the baseline, rather than Prometheus' guess that it restarted from zero (a one-interval
 * rate has no earlier point to fall back on; a gap is better than a wrong value). Same rules as
 * the snmp probe's interface rates, less the wraps: exposition counters are floats and do not wrap.
 */

export interface CounterSnapshot {
  value: number;
  /** Epoch ms of the scrape. */
  at: number;
}

export type CounterRateOutcome =
  | { kind: 'rate'; perSecond: number }
  /** No rate; `cur` is the baseline from now on. */
  | { kind: 'baseline'; reason: 'first' | 'reset' | 'clock' }
  /** No rate; keep the old baseline (no time passed, or the new value is not a number). */
  | { kind: 'hold' };

export function counterRate(prev: CounterSnapshot | undefined, cur: CounterSnapshot): CounterRateOutcome {
  if (!Number.isFinite(cur.value)) return { kind: 'hold' };
  if (!prev || !Number.isFinite(prev.value)) return { kind: 'baseline', reason: 'first' };
  const seconds = (cur.at - prev.at) / 1000;
  if (seconds === 0) return { kind: 'hold' };
  if (!(seconds > 0)) return { kind: 'baseline', reason: 'clock' };
  if (cur.value < prev.value) return { kind: 'baseline', reason: 'reset' };
  return { kind: 'rate', perSecond: (cur.value - prev.value) / seconds };
}

/** The baseline to keep after `outcome`. */
export function nextSnapshot(prev: CounterSnapshot | undefined, cur: CounterSnapshot, outcome: CounterRateOutcome): CounterSnapshot | undefined {
  return outcome.kind === 'hold' ? prev : cur;
}
