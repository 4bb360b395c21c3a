import { describe, expect, it } from '@jest/globals';
import {
  MAX_UNKNOWN_SPEED_BPS,
  UPTIME_MODULUS,
  counterDelta,
  elapsedBetween,
  interfaceRate,
  maxPlausibleBps,
  nextBaseline,
  utilisationPct,
  type CounterReading,
} from './interface-rate.calculator.js';

const T0 = Date.UTC(2025, 0, 6, 2, 0, 0);
const TWO64 = 1n << 64n;
const TWO32 = 1n << 32n;

/** A reading `seconds` after the first, on a device up for a day at the first. */
function reading(seconds: number, inOctets: bigint, outOctets: bigint, extra: Partial<CounterReading> = {}): CounterReading {
  return { at: T0 + seconds * 1000, uptimeTicks: 8_640_000 + seconds * 100, inOctets, outOctets, bits: 64, speedBps: 1e9, ...extra };
}

describe('interfaceRate', () => {
  it('gives no rate on the first reading, which becomes the baseline', () => {
    const cur = reading(0, 100n, 200n);
    const outcome = interfaceRate(undefined, cur);
    expect(outcome).toEqual({ kind: 'baseline', reason: 'first' });
    expect(nextBaseline(undefined, cur, outcome)).toBe(cur);
  });

  it('turns octet deltas into bit/s over the sysUpTime difference', () => {
    const outcome = interfaceRate(reading(0, 1_000n, 5_000n), reading(30, 1_000n + 375_000_000n, 5_000n + 3_750_000n));
    expect(outcome).toEqual({ kind: 'rate', inBps: 100_000_000, outBps: 1_000_000, seconds: 30, wrapped: false });
  });

  it('measures time by the device clock, not by when the poll went out', () => {
    // Polled 31 s apart (a late tick), but the device says 30 s passed between its two answers.
    const prev = reading(0, 0n, 0n);
    const cur = { ...reading(30, 375_000_000n, 0n), at: T0 + 31_000 };
    expect(interfaceRate(prev, cur)).toMatchObject({ kind: 'rate', inBps: 100_000_000, seconds: 30 });
  });

  it('falls back to the collection times when the device gives no sysUpTime', () => {
    const prev = reading(0, 0n, 0n, { uptimeTicks: undefined });
    const cur = reading(10, 1_250_000n, 0n, { uptimeTicks: undefined });
    expect(interfaceRate(prev, cur)).toMatchObject({ kind: 'rate', inBps: 1_000_000, seconds: 10 });
  });

  it('counts an unchanged counter as a rate of 0', () => {
    expect(interfaceRate(reading(0, 42n, 42n), reading(30, 42n, 42n))).toMatchObject({ kind: 'rate', inBps: 0, outBps: 0 });
  });

  it('follows a 64-bit counter through its wrap when the implied rate fits the speed', () => {
    const prev = reading(0, TWO64 - 1_000_000_000n, 0n, { speedBps: 10e9 });
    const cur = reading(30, 2_750_000_000n, 0n, { speedBps: 10e9 });
    expect(interfaceRate(prev, cur)).toEqual({ kind: 'rate', inBps: 1e9, outBps: 0, seconds: 30, wrapped: true });
  });

  it('follows a 32-bit counter through its wrap', () => {
    const prev = reading(0, TWO32 - 296n, 1_000n, { bits: 32, speedBps: 2_048_000 });
    const cur = reading(30, 5_759_704n, 3_841_000n, { bits: 32, speedBps: 2_048_000 });
    expect(interfaceRate(prev, cur)).toEqual({ kind: 'rate', inBps: 1_536_000, outBps: 1_024_000, seconds: 30, wrapped: true });
  });

  it('treats a 64-bit counter that went down from far below 2^64 as a reset: no rate, new baseline', () => {
    const prev = reading(0, 9_000_000_000_000n, 7_000n);
    const cur = reading(30, 1_000n, 8_000n);
    const outcome = interfaceRate(prev, cur);
    expect(outcome).toEqual({ kind: 'baseline', reason: 'counter_reset' });
    expect(nextBaseline(prev, cur, outcome)).toBe(cur);
  });

  it('treats a 32-bit decrease as a reset when the wrap would exceed the interface speed', () => {
    // 2^32 - 1e9 + 5 octets in 1 s on a 10 Mbit/s interface: not a wrap.
    const prev = reading(0, 1_000_000_000n, 0n, { bits: 32, speedBps: 10e6 });
    const cur = reading(1, 5n, 0n, { bits: 32, speedBps: 10e6 });
    expect(interfaceRate(prev, cur)).toEqual({ kind: 'baseline', reason: 'counter_reset' });
  });

  it('gives no rate after a device restart (sysUpTime went down), whatever the counters did', () => {
    const prev = reading(0, 1_000_000n, 1_000_000n);
    const cur: CounterReading = { ...reading(30, 2_000_000n, 2_000_000n), uptimeTicks: 1_500 };
    const outcome = interfaceRate(prev, cur);
    expect(outcome).toEqual({ kind: 'baseline', reason: 'restart' });
    expect(nextBaseline(prev, cur, outcome)).toBe(cur);
    // and the next reading has a rate again, from the new baseline
    const after: CounterReading = { ...cur, at: cur.at + 30_000, uptimeTicks: 4_500, inOctets: 2_000_000n + 3_750_000n };
    expect(interfaceRate(cur, after)).toMatchObject({ kind: 'rate', inBps: 1_000_000 });
  });

  it('sees a restart inside one interval: sysUpTime grew much less than the time that passed', () => {
    // Polled 5 minutes apart; the device rebooted and has been up 60 s, more than its old uptime.
    const prev: CounterReading = { ...reading(0, 1_000n, 1_000n), uptimeTicks: 2_000 };
    const cur: CounterReading = { ...reading(300, 5_000n, 5_000n), uptimeTicks: 6_000 };
    expect(interfaceRate(prev, cur)).toEqual({ kind: 'baseline', reason: 'restart' });
  });

  it('takes sysUpTime going through 2^32 ticks (497 days) as a wrap, not a restart', () => {
    const prev: CounterReading = { ...reading(0, 0n, 0n), uptimeTicks: UPTIME_MODULUS - 1_000 };
    const cur: CounterReading = { ...reading(30, 375_000_000n, 0n), uptimeTicks: 2_000 };
    expect(interfaceRate(prev, cur)).toMatchObject({ kind: 'rate', inBps: 100_000_000, seconds: 30 });
  });

  it('holds the old baseline when no time passed (zero elapsed), so nothing divides by zero', () => {
    const prev = reading(0, 100n, 100n);
    const same = { ...reading(0, 150n, 150n) };
    const outcome = interfaceRate(prev, same);
    expect(outcome).toEqual({ kind: 'hold' });
    expect(nextBaseline(prev, same, outcome)).toBe(prev);
    const noUptime = interfaceRate({ ...prev, uptimeTicks: undefined }, { ...same, uptimeTicks: undefined });
    expect(noUptime).toEqual({ kind: 'hold' });
  });

  it('restarts the baseline when the collection clock goes backwards (no sysUpTime)', () => {
    const prev = reading(30, 100n, 100n, { uptimeTicks: undefined });
    const cur = reading(0, 200n, 200n, { uptimeTicks: undefined });
    expect(interfaceRate(prev, cur)).toEqual({ kind: 'baseline', reason: 'clock' });
  });

  it('restarts the baseline when ifCounterDiscontinuityTime changed', () => {
    const prev = reading(0, 100n, 100n, { discontinuityTime: 0 });
    const cur = reading(30, 200n, 200n, { discontinuityTime: 8_640_500 });
    expect(interfaceRate(prev, cur)).toEqual({ kind: 'baseline', reason: 'discontinuity' });
  });

  it('restarts the baseline when the counters switch between 32 and 64 bits', () => {
    expect(interfaceRate(reading(0, 1n, 1n, { bits: 32 }), reading(30, 2n, 2n))).toEqual({ kind: 'baseline', reason: 'counter_width' });
  });
});

describe('elapsedBetween', () => {
  it('is the sysUpTime difference in seconds', () => {
    expect(elapsedBetween({ at: 0, uptimeTicks: 100 }, { at: 10_000, uptimeTicks: 1_100 })).toEqual({ kind: 'ok', seconds: 10 });
  });
  it('calls a decrease that does not fit a TimeTicks wrap a restart', () => {
    expect(elapsedBetween({ at: 0, uptimeTicks: 5_000 }, { at: 30_000, uptimeTicks: 100 })).toEqual({ kind: 'restart' });
  });
});

describe('counterDelta', () => {
  it('is cur - prev when the counter went up', () => {
    expect(counterDelta(5n, 9n, 64, 1, 1e9)).toEqual({ kind: 'ok', delta: 4n, wrapped: false });
  });
  it('goes through the wrap: 2^bits - prev + cur', () => {
    expect(counterDelta(TWO32 - 1n, 0n, 32, 1, 1e9)).toEqual({ kind: 'ok', delta: 1n, wrapped: true });
    expect(counterDelta(TWO64 - 10n, 5n, 64, 1, 1e9)).toEqual({ kind: 'ok', delta: 15n, wrapped: true });
  });
  it('calls a value beyond the counter width a reset', () => {
    expect(counterDelta(TWO32 + 5n, 1n, 32, 1, Number.POSITIVE_INFINITY)).toEqual({ kind: 'reset' });
  });
});

describe('maxPlausibleBps and utilisationPct', () => {
  it('allows wraps up to 1.5× the speed; believes 32-bit wraps of unknown speed; caps 64-bit ones', () => {
    expect(maxPlausibleBps({ speedBps: 1e9, bits: 64 })).toBe(1.5e9);
    expect(maxPlausibleBps({ speedBps: undefined, bits: 32 })).toBe(Number.POSITIVE_INFINITY);
    expect(maxPlausibleBps({ speedBps: 0, bits: 64 })).toBe(MAX_UNKNOWN_SPEED_BPS);
  });
  it('is the busier direction over the speed, undefined without a speed', () => {
    expect(utilisationPct(1e8, 2e8, 1e9)).toBeCloseTo(20);
    expect(utilisationPct(1e8, 2e8, 0)).toBeUndefined();
    expect(utilisationPct(1e8, 2e8, undefined)).toBeUndefined();
  });
});
