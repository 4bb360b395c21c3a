import { describe, expect, it } from '@jest/globals';
import { statusRecovery } from '@zhuyun/protocol';
import { counterRate, evaluateNode, median, nextInterval, worstOf } from './status.rules.js';

const now = 1_800_000_000_000;

describe('evaluateNode', () => {
  it('is up inside all thresholds', () => {
    expect(evaluateNode({ 'net.up': 1, 'net.latency_ms': 5, 'net.loss_pct': 0 }, now - 1000, 10_000, now)).toMatchObject({ status: 'up', reasons: [] });
  });
  it('is degraded on a warning threshold, with the reason', () => {
    const r = evaluateNode({ 'net.latency_ms': 25 }, now, 10_000, now);
    expect(r).toMatchObject({ status: 'degraded', reasons: ['net.latency_ms 25 ≥ 20'] });
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

describe('evaluateNode: hysteresis (issue 15 item 5)', () => {
  /** Feeds a sequence of one metric's values through evaluateNode, carrying what it held, as LiveState does. */
  function run(metric: string, values: number[]): string[] {
    let held: Record<string, 'warning' | 'critical'> = {};
    return values.map((v) => {
      const r = evaluateNode({ [metric]: v }, now, 10_000, now, undefined, held);
      held = r.held;
      return r.status;
    });
  }
  it('enters degraded at the warning threshold and stays there while the value wavers around it', () => {
    expect(run('net.if_util_pct', [69.9, 70.1, 69.9, 70.1, 69.9, 70.1, 69.9])).toEqual(['up', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded', 'degraded']);
  });
  it('leaves degraded only below the recovery level (70 % → below 63 %)', () => {
    expect(statusRecovery('net.if_util_pct', 'warning')).toBe(63);
    expect(run('net.if_util_pct', [71, 65, 63.1, 63, 62.9, 69.9])).toEqual(['degraded', 'degraded', 'degraded', 'degraded', 'up', 'up']);
  });
  it('holds down between the critical threshold and its recovery level, then degraded, then up', () => {
    expect(run('net.latency_ms', [49, 51, 49, 46, 45.5, 44.9, 19, 17.9])).toEqual(['degraded', 'down', 'down', 'down', 'down', 'degraded', 'degraded', 'up']);
  });
  it('does the same for a lower-is-worse metric (sharing success rate: 99 % → above 99.5 %)', () => {
    expect(run('share.success_pct', [99.1, 98.9, 99.1, 99.4, 99.6])).toEqual(['up', 'degraded', 'degraded', 'degraded', 'up']);
  });
  it('says a held threshold is held, with the level it must pass to recover', () => {
    const first = evaluateNode({ 'net.if_util_pct': 70.1 }, now, 10_000, now);
    expect(first.causes).toEqual([{ code: 'threshold', params: { metric: 'net.if_util_pct', value: 70.1, op: '≥', limit: 70, level: 'warning' } }]);
    const held = evaluateNode({ 'net.if_util_pct': 69.9 }, now, 10_000, now, undefined, first.held);
    expect(held.causes).toEqual([{ code: 'threshold-held', params: { metric: 'net.if_util_pct', value: 69.9, op: '≥', limit: 70, level: 'warning', recover: 63 } }]);
  });
});

describe('evaluateNode: causes as codes and parameters', () => {
  it('gives one cause per reason', () => {
    expect(evaluateNode({ 'net.up': 0 }, now, 10_000, now).causes).toEqual([{ code: 'up-zero', params: { metric: 'net.up' } }]);
    expect(evaluateNode({ 'net.up': 1 }, now - 407_000, 10_000, now).causes).toEqual([{ code: 'no-data', params: { s: 407 } }]);
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
