/**
 * Interface rates from two readings of octet counters: pure arithmetic, no clock, no I/O.
 *
 * Rules (what MRTG, Cacti and Zabbix agree on, made explicit):
 * - Time between readings is the device's own clock, sysUpTime, so a poll that went out late does
 *   not bend the rate; without sysUpTime, the collection times.
 * - A counter that went down wrapped when the wrap is plausible: the increase it implies fits the
 *   interface speed (with headroom). A 64-bit counter never wraps in practice (2^64 octets is 46
 *   years at 100 Gbit/s), so there a decrease is a reset.
 * - A device restart (sysUpTime went down, or grew much less than the time that passed), a changed
 *   ifCounterDiscontinuityTime or a counter reset gives no rate that round: the reading becomes the
 *   new baseline. Better a gap than a spike of 10^19 bit/s.
 * - A reading at the same instant as the baseline gives no rate and keeps the old baseline, so the
 *   next reading is measured over a real interval.
 */

export const TICKS_PER_SECOND = 100;
/** sysUpTime is TimeTicks, an unsigned 32-bit value: it wraps after 497 days. */
export const UPTIME_MODULUS = 2 ** 32;

export interface CounterReading {
  /** sysUpTime.0 when read, in hundredths of a second; undefined when the agent gave none. */
  uptimeTicks?: number;
  /** Collection time, epoch ms (the probe's `ctx.now`). */
  at: number;
  inOctets: bigint;
  outOctets: bigint;
  /** Counter width: 64 for ifHCInOctets/ifHCOutOctets, 32 for ifInOctets/ifOutOctets. */
  bits: 32 | 64;
  /** ifCounterDiscontinuityTime, when the agent has it. */
  discontinuityTime?: number;
  /** Interface speed in bit/s (ifHighSpeed × 10^6, else ifSpeed); 0 or undefined when unknown. */
  speedBps?: number;
}

export type BaselineReason = 'first' | 'restart' | 'discontinuity' | 'counter_reset' | 'counter_width' | 'clock';

export type RateOutcome =
  /** Rates in bit/s over `seconds`; `wrapped` when a counter wrapped in between. */
  | { kind: 'rate'; inBps: number; outBps: number; seconds: number; wrapped: boolean }
  /** No rate; the new reading is the baseline from now on. */
  | { kind: 'baseline'; reason: BaselineReason }
  /** No rate; the old baseline stays (no time passed). */
  | { kind: 'hold' };

/** Headroom over the interface speed before a wrap is judged implausible. */
export const WRAP_SPEED_HEADROOM = 1.5;
/** When the speed is unknown: the most a 64-bit counter is believed to move (10 Tbit/s). */
export const MAX_UNKNOWN_SPEED_BPS = 1e13;

export type ElapsedOutcome = { kind: 'ok'; seconds: number } | { kind: 'restart' } | { kind: 'zero' } | { kind: 'clock' };

/**
 * Seconds between two readings of the same device. With sysUpTime on both sides:
 * - it went down: a wrap of the 32-bit TimeTicks when the wrapped difference fits the time that
 *   passed (±50 % or 5 s), else a restart;
 * - it grew much less than the collection times say (by more than 5 s and 20 %): the device
 *   restarted in between and has been up less than one interval;
 * - it did not move: `zero`.
 * Without sysUpTime, the collection times: `zero` for equal times, `clock` when they go backwards.
 */
export function elapsedBetween(prev: Pick<CounterReading, 'uptimeTicks' | 'at'>, cur: Pick<CounterReading, 'uptimeTicks' | 'at'>): ElapsedOutcome {
  const wallSeconds = (cur.at - prev.at) / 1000;
  if (prev.uptimeTicks !== undefined && cur.uptimeTicks !== undefined) {
    let ticks = cur.uptimeTicks - prev.uptimeTicks;
    if (ticks < 0) {
      const wrapped = ticks + UPTIME_MODULUS;
      const plausible = wallSeconds > 0 && Math.abs(wrapped / TICKS_PER_SECOND - wallSeconds) <= Math.max(5, wallSeconds * 0.5);
      if (!plausible) return { kind: 'restart' };
      ticks = wrapped;
    }
    if (ticks === 0) return { kind: 'zero' };
    const seconds = ticks / TICKS_PER_SECOND;
    if (wallSeconds > 0 && wallSeconds - seconds > Math.max(5, wallSeconds * 0.2)) return { kind: 'restart' };
    return { kind: 'ok', seconds };
  }
  if (wallSeconds === 0) return { kind: 'zero' };
  if (wallSeconds < 0 || !Number.isFinite(wallSeconds)) return { kind: 'clock' };
  return { kind: 'ok', seconds: wallSeconds };
}

export type DeltaOutcome = { kind: 'ok'; delta: bigint; wrapped: boolean } | { kind: 'reset' };

/**
 * Increase of a counter of `bits` width from `prev` to `cur` over `seconds`. A decrease is a wrap
 * when the increase through the wrap, in bit/s, is at most `maxBps`; otherwise a reset.
 */
export function counterDelta(prev: bigint, cur: bigint, bits: 32 | 64, seconds: number, maxBps: number): DeltaOutcome {
  if (cur >= prev) return { kind: 'ok', delta: cur - prev, wrapped: false };
  const modulus = 1n << BigInt(bits);
  if (prev >= modulus || cur >= modulus) return { kind: 'reset' };
  const delta = modulus - prev + cur;
  const bps = (Number(delta) * 8) / seconds;
  return bps <= maxBps ? { kind: 'ok', delta, wrapped: true } : { kind: 'reset' };
}

/** The fastest rate a wrap may imply for this reading's interface. */
export function maxPlausibleBps(reading: Pick<CounterReading, 'speedBps' | 'bits'>): number {
  if (reading.speedBps && reading.speedBps > 0) return reading.speedBps * WRAP_SPEED_HEADROOM;
  // A 32-bit counter on an interface of unknown speed: believe the wrap (MRTG's rule); a 64-bit
  // one going down is a reset unless it moved less than 10 Tbit/s through the wrap.
  return reading.bits === 32 ? Number.POSITIVE_INFINITY : MAX_UNKNOWN_SPEED_BPS;
}

/** In and out bit/s between two readings of one interface, or why there is none this round. */
export function interfaceRate(prev: CounterReading | undefined, cur: CounterReading): RateOutcome {
  if (!prev) return { kind: 'baseline', reason: 'first' };
  const elapsed = elapsedBetween(prev, cur);
  if (elapsed.kind === 'zero') return { kind: 'hold' };
  if (elapsed.kind === 'restart') return { kind: 'baseline', reason: 'restart' };
  if (elapsed.kind === 'clock') return { kind: 'baseline', reason: 'clock' };
  if (prev.bits !== cur.bits) return { kind: 'baseline', reason: 'counter_width' };
  if (prev.discontinuityTime !== undefined && cur.discontinuityTime !== undefined && prev.discontinuityTime !== cur.discontinuityTime) {
    return { kind: 'baseline', reason: 'discontinuity' };
  }
  const maxBps = maxPlausibleBps(cur);
  const dIn = counterDelta(prev.inOctets, cur.inOctets, cur.bits, elapsed.seconds, maxBps);
  const dOut = counterDelta(prev.outOctets, cur.outOctets, cur.bits, elapsed.seconds, maxBps);
  if (dIn.kind === 'reset' || dOut.kind === 'reset') return { kind: 'baseline', reason: 'counter_reset' };
  return {
    kind: 'rate',
    inBps: (Number(dIn.delta) * 8) / elapsed.seconds,
    outBps: (Number(dOut.delta) * 8) / elapsed.seconds,
    seconds: elapsed.seconds,
    wrapped: dIn.wrapped || dOut.wrapped,
  };
}

/** The baseline to keep after `outcome`: the new reading, except on `hold`. */
export function nextBaseline(prev: CounterReading | undefined, cur: CounterReading, outcome: RateOutcome): CounterReading {
  return outcome.kind === 'hold' && prev ? prev : cur;
}

/**
 * Utilisation in percent: the busier direction over the interface speed (full duplex: each
 * direction has the whole speed). Undefined when the speed is unknown.
 */
export function utilisationPct(inBps: number, outBps: number, speedBps: number | undefined): number | undefined {
  if (!speedBps || speedBps <= 0) return undefined;
  return (Math.max(inBps, outBps) / speedBps) * 100;
}
