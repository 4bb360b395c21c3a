import { describe, expect, it } from '@jest/globals';
import { counterRate, evaluateNode, median, nextInterval, worstOf } from './status.rules.js';

const now = 1_800_000_000_000;

describe('evaluateNode', () => {
  it('is up inside all thresholds', () => {
    expect(evaluateNode({ 'net.up': 1, 'net.latency_ms': 5, 'net.loss_pct': 0 }, now - 1000, 10_000, now)).toEqual({ status: 'up', reasons: [] });
  });
  it('is degraded on a warning threshold, with the reason', () => {
    const r = evaluateNode({ 'net.latency_ms': 25 }, now, 10_000, now);
    expect(r).toEqual({ status: 'degraded', reasons: ['net.latency_ms 25 ≥ 20'] });
  });
  it('is down on a critical threshold', () => {
    expect(evaluateNode({ 'net.loss_pct': 1 }, now, 10_000, now).status).toBe('down');
    expect(evaluateNode({ 'net.loss_pct': 0.99 }, now, 10_000, now).status).toBe('degraded');
  });
  it('is down when an up-metric is 0', () => {
    const r = evaluateNode({ 'net.up': 0, 'net.latency_ms': 3 }, now, 10_000, now);
    expect(r.status).toBe('down');
    expect(r.reasons).toEqual(['net.up = 0']);
  });
  it('reads lower-is-worse thresholds (sharing success rate)', () => {
    expect(evaluateNode({ 'share.success_pct': 99.5 }, now, 10_000, now).status).toBe('up');
    expect(evaluateNode({ 'share.success_pct': 98 }, now, 10_000, now).status).toBe('degraded');
    expect(evaluateNode({ 'share.success_pct': 90 }, now, 10_000, now).status).toBe('down');
  });
  it('is unknown, never green, after three intervals without data', () => {
    expect(evaluateNode({ 'net.up': 1 }, now - 30_000, 10_000, now).status).toBe('up');
    const r = evaluateNode({ 'net.up': 1 }, now - 30_001, 10_000, now);
    expect(r.status).toBe('unknown');
    expect(r.reasons[0]).toMatch(/no data for 30 s/);
  });
  it('does not take an interval under two seconds', () => {
    expect(evaluateNode({ 'net.up': 1 }, now - 5_500, 100, now).status).toBe('up');
    expect(evaluateNode({ 'net.up': 1 }, now - 6_500, 100, now).status).toBe('unknown');
  });
  it('lists critical reasons before warning ones', () => {
    const r = evaluateNode({ 'net.latency_ms': 60, 'net.jitter_ms': 12 }, now, 10_000, now);
    expect(r.reasons).toEqual(['net.latency_ms 60 ≥ 50', 'net.jitter_ms 12 ≥ 10']);
  });
});

describe('worstOf', () => {
  it('orders down > degraded > unknown > up', () => {
    expect(worstOf(['up', 'unknown'])).toBe('unknown');
    expect(worstOf(['up', 'degraded', 'unknown'])).toBe('degraded');
    expect(worstOf(['degraded', 'down', 'up'])).toBe('down');
    expect(worstOf(['up', 'up'])).toBe('up');
    expect(worstOf([])).toBe('unknown');
  });
});

describe('helpers', () => {
  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
  it('counterRate per second, none across a reset', () => {
    expect(counterRate({ ts: 0, value: 100 }, { ts: 2000, value: 300 })).toBe(100);
    expect(counterRate({ ts: 0, value: 100 }, { ts: 2000, value: 50 })).toBeUndefined();
    expect(counterRate(undefined, { ts: 2000, value: 50 })).toBeUndefined();
  });
  it('nextInterval smooths', () => {
    expect(nextInterval(undefined, 1000)).toBe(1000);
    expect(nextInterval(1000, 2000)).toBeCloseTo(1300);
    expect(nextInterval(1000, 0)).toBe(1000);
  });
});
