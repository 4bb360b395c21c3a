import { describe, expect, it } from '@jest/globals';
import { groupAlerts, holdOf, type Groupable } from './alert-groups.js';

const MIN = 60_000;
const al = (id: string, node: string, unit: string, activeAt: number, extra: Partial<Groupable> = {}): Groupable => ({
  id, tags: { district: unit, unit, node }, activeAt, severity: 'P1', metric: 'net.up', suppressed: null, ...extra,
});

describe('groupAlerts (outage groups)', () => {
  it('one outage of a unit (node down and loss of the same nodes, within the window) is one group led by the root cause', () => {
    const list = [
      al('a-core', 'xf-core-1', '520122', 0),
      ...[1, 2, 3, 4, 5].map((i) => al(`a-acc-${i}`, `xf-acc-${i}`, '520122', 2_000 * i, { suppressed: 'behind:xf-core-1' })),
      ...[1, 2, 3, 4, 5].map((i) => al(`l-acc-${i}`, `xf-acc-${i}`, '520122', 1_000 * i, { metric: 'net.loss_pct', severity: 'P2', suppressed: 'behind:xf-core-1' })),
    ];
    const g = groupAlerts(list);
    expect(new Set(g.values())).toEqual(new Set(['a-core']));
  });

  it('other units and later faults are other groups; a subtree across units (behind the city core) is one', () => {
    const g = groupAlerts([
      al('a', 'n1', '520122', 0),
      al('b', 'n2', '520122', 20 * MIN),
      al('c', 'n3', '520121', 0),
      al('city', 'city-core', 'gy-city', 0),
      al('d', '520111-core-1', '520111', 30 * MIN, { suppressed: 'behind:city-core' }),
    ]);
    expect(g.get('a')).toBe('a');
    expect(g.get('b')).toBe('b');
    expect(g.get('c')).toBe('c');
    expect(g.get('d')).toBe('city');
  });

  it('the lead is the alert not held back, a down alert, the most severe, the earliest', () => {
    const g = groupAlerts([
      al('loss', 'n1', 'u', 0, { metric: 'net.loss_pct', severity: 'P2' }),
      al('down', 'n1', 'u', 10_000),
      al('held', 'n2', 'u', 5_000, { suppressed: 'behind:n1' }),
    ]);
    expect([...new Set(g.values())]).toEqual(['down']);
  });
});

describe('holdOf (why a firing alert still fires)', () => {
  const util = { comparison: '>=' as const, threshold: 70, resolveThreshold: 63, keepFiringMs: 0 };
  it('says nothing while the value breaches', () => {
    expect(holdOf({ state: 'firing', value: 72, lastBreachAt: 0 }, util)).toBeNull();
  });
  it('hysteresis: 68.48 % is under 70 % but not under the resolve threshold', () => {
    expect(holdOf({ state: 'firing', value: 68.48, lastBreachAt: 0 }, util)).toEqual({ code: 'hysteresis', resolveThreshold: 63, comparison: '>=' });
  });
  it('keep-firing: node down 1 = 0 is recovered, held for the keep-firing minute', () => {
    const down = { comparison: '==' as const, threshold: 0, resolveThreshold: null, keepFiringMs: MIN };
    expect(holdOf({ state: 'firing', value: 1, lastBreachAt: 1_000 }, down)).toEqual({ code: 'keepFiring', keepFiringS: 60, until: 61_000 });
  });
  it('a pending alert has no hold', () => {
    expect(holdOf({ state: 'pending', value: 68, lastBreachAt: 0 }, util)).toBeNull();
  });
});

describe('suppressionOf: a down node holds back its own loss and latency alerts', () => {
  it('down:<node> for a loss alert of a down node; never for the node-down alert itself; behind wins', async () => {
    const { suppressionOf } = await import('./silences.js');
    const tags = { district: '520122', unit: '520122', node: 'xf-acc-1' };
    expect(suppressionOf({ ruleId: 'r', tags, metric: 'net.loss_pct' }, 0, [], () => undefined, () => true)).toBe('down:xf-acc-1');
    expect(suppressionOf({ ruleId: 'r', tags, metric: 'net.up' }, 0, [], () => undefined, () => true)).toBeNull();
    expect(suppressionOf({ ruleId: 'r', tags, metric: 'net.loss_pct' }, 0, [], () => 'xf-core-1', () => true)).toBe('behind:xf-core-1');
    expect(suppressionOf({ ruleId: 'r', tags, metric: 'net.loss_pct' }, 0, [], () => undefined, () => false)).toBeNull();
  });
});
