import { describe, expect, it } from '@jest/globals';
import { canAct, metricUnit, placeOf, silenceFor, sortAlerts, suppressionOf, valueVsThreshold } from './alerts-model';

const a = (id: string, state: 'pending' | 'firing', severity: string, at: number) => ({ id, state, severity, firedAt: state === 'firing' ? at : null, activeAt: at });

describe('alerts model', () => {
  it('sorts firing first, then by severity, then newest first', () => {
    const sorted = sortAlerts([a('1', 'pending', 'P1', 50), a('2', 'firing', 'P3', 90), a('3', 'firing', 'P1', 10), a('4', 'firing', 'P1', 20), a('5', 'firing', 'P2', 5)]);
    expect(sorted.map((x) => x.id)).toEqual(['4', '3', '5', '2', '1']);
  });

  it.each([
    [{ role: 'ops' as const }, true],
    [{ role: 'admin' as const }, true],
    [{ role: 'leader' as const }, false],
    [{ role: 'district' as const }, false],
    [{ role: 'operator' as const }, false],
    [null, false],
  ])('may %j acknowledge: %s', (user, ok) => expect(canAct(user)).toBe(ok));

  it.each([
    ['behind:520121-core-1', { kind: 'behind', ref: '520121-core-1' }],
    ['silence:si-1:x', { kind: 'silence', ref: 'si-1:x' }],
    [null, null],
    ['other:1', null],
  ])('reads suppression %s', (s, want) => expect(suppressionOf(s)).toEqual(want));

  it.each([
    ['net.latency_ms', ' ms'],
    ['net.loss_pct', '%'],
    ['collector.silent_s', ' s'],
    ['net.up', ''],
  ])('unit of %s', (m, u) => expect(metricUnit(m)).toBe(u));

  it('writes value against threshold with the comparison sign', () => {
    expect(valueVsThreshold({ value: 62.345, metric: 'net.latency_ms' }, { comparison: '>=', threshold: 50 }, 'zh-CN')).toBe('62.35 ms ≥ 50 ms');
    expect(valueVsThreshold({ value: 0, metric: 'net.up' }, { comparison: '==', threshold: 0 }, 'en')).toBe('0 = 0');
    expect(valueVsThreshold({ value: null, metric: 'net.up' }, undefined, 'en')).toBe('—');
    expect(valueVsThreshold({ value: 1234.5, metric: 'collector.silent_s' }, { comparison: '>', threshold: 60 }, 'en')).toBe('1,234.5 s > 60 s');
  });

  it('names the place in Chinese or English, zones before their district', () => {
    expect(placeOf({ unit: '520121', district: '520121' }, 'zh-CN')).toBe('开阳县');
    expect(placeOf({ unit: '520121', district: '520121' }, 'en')).toBe('Kaiyang');
    expect(placeOf({ unit: 'nope', district: '520103' }, 'zh-CN')).toBe('云岩区');
    expect(placeOf({ unit: '', district: '' }, 'zh-CN')).toBe('—');
  });

  it('silences the rule on the node for the hours given', () => {
    expect(silenceFor({ ruleId: 'r', node: 'n1', district: '520103' }, 4, ' 换线 ', 1000)).toEqual({ matchers: { ruleId: 'r', node: 'n1' }, startsAt: 1000, endsAt: 1000 + 4 * 3_600_000, comment: '换线' });
    expect(silenceFor({ ruleId: 'r', node: '', district: '520103' }, 1, 'x', 0).matchers).toEqual({ ruleId: 'r', district: '520103' });
  });
});
