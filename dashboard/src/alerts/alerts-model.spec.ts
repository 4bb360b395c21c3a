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

describe('outage groups, hold reasons and the feed (issue 15)', () => {
  const g = (id: string, group?: string) => ({ id, group });
  it('alerts of one server group are one row led by the lead, in the list order; the rest alone', async () => {
    const { groupRows } = await import('./alerts-model');
    const rows = groupRows([g('x'), g('acc-1', 'core'), g('core', 'core'), g('y', 'y'), g('acc-2', 'core')]);
    expect(rows.map((r) => (r.kind === 'group' ? `group:${r.id}:${r.members.map((m) => m.id).join(',')}` : r.alert.id))).toEqual(['x', 'group:core:core,acc-1,acc-2', 'y']);
  });
  it('a pending alert that went back to inactive is not news', async () => {
    const { isNews } = await import('./alerts-model');
    expect(isNews({ kind: 'state', from: 'pending', to: 'inactive' })).toBe(false);
    expect(isNews({ kind: 'state', from: 'pending', to: 'firing' })).toBe(true);
    expect(isNews({ kind: 'state', from: 'firing', to: 'resolved' })).toBe(true);
  });
  it('built-in rules are named by their id; the node held back behind is named', async () => {
    const { ruleKey, ruleMetric, heldBack, noteKey } = await import('./alerts-model');
    expect(ruleKey('default-net-up-down')).toBe('nodeDown');
    expect(ruleKey('default-net-loss_pct-warning')).toBe('threshold.warning');
    expect(ruleMetric('default-net-loss_pct-warning')).toBe('net.loss_pct');
    expect(ruleKey('rule-1234abcd')).toBeNull();
    expect(heldBack({ suppressed: 'behind:520121-core-1', suppressedName: '开阳县汇聚节点' })).toEqual({ kind: 'behind', ref: '520121-core-1', name: '开阳县汇聚节点' });
    expect(heldBack({ suppressed: 'down:n1' })).toMatchObject({ kind: 'down' });
    expect(noteKey('not acknowledged within 30 min')).toEqual({ key: 'notAcked', n: 30 });
  });
  it('every alertOps key is in both catalogues', async () => {
    const zh = (await import('../i18n/zh-CN')).default as Record<string, unknown>;
    const en = (await import('../i18n/en')).default as Record<string, unknown>;
    const keys = (o: unknown, p = ''): string[] => (typeof o === 'object' && o !== null ? Object.entries(o).flatMap(([k, v]) => keys(v, `${p}.${k}`)) : [p]);
    expect(keys(zh.alertOps).sort()).toEqual(keys(en.alertOps).sort());
    expect(keys(zh.alertOps).length).toBeGreaterThan(30);
  });
});
