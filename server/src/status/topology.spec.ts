import { describe, expect, it } from '@jest/globals';
import type { NodeStatus } from '@zhuyun/protocol';
import { checkLinks, nearestDownAncestor } from './topology.js';

describe('nearestDownAncestor', () => {
  const parents: Record<string, string> = { acc1: 'agg', acc2: 'agg', agg: 'core', sub: 'acc1' };
  const walk = (id: string, statuses: Record<string, NodeStatus>) =>
    nearestDownAncestor(id, (n) => parents[n], (n) => statuses[n]);

  it.each<[string, Record<string, NodeStatus>, string | undefined]>([
    ['acc1', { agg: 'up', core: 'up' }, undefined],
    ['acc1', { agg: 'down', core: 'up' }, 'agg'],
    ['acc1', { agg: 'up', core: 'down' }, 'core'],
    ['sub', { acc1: 'degraded', agg: 'down', core: 'down' }, 'agg'],
    ['sub', { acc1: 'down', agg: 'down' }, 'acc1'],
    ['agg', { agg: 'down', core: 'up' }, undefined],
    ['core', { core: 'down' }, undefined],
    ['acc2', { agg: 'unknown', core: 'down' }, 'core'],
    ['orphan', { agg: 'down' }, undefined],
  ])('%s with %j is behind %s', (id, statuses, expected) => {
    expect(walk(id, statuses)).toBe(expected);
  });

  it('ends on a cycle instead of looping', () => {
    const cyc: Record<string, string> = { a: 'b', b: 'c', c: 'a' };
    expect(nearestDownAncestor('a', (n) => cyc[n], () => 'up')).toBeUndefined();
    expect(nearestDownAncestor('a', (n) => cyc[n], (n) => (n === 'c' ? 'down' : 'up'))).toBe('c');
  });
});

describe('checkLinks', () => {
  it('accepts a tree', () => {
    expect(checkLinks([{ node: 'core', parent: null }, { node: 'agg', parent: 'core' }, { node: 'a1', parent: 'agg' }])).toEqual([]);
  });

  it('accepts a parent that is not listed (a node known only from data)', () => {
    expect(checkLinks([{ node: 'a1', parent: 'agg' }])).toEqual([]);
  });

  it('names duplicates, self-parents and cycles', () => {
    expect(checkLinks([{ node: 'a', parent: 'a' }])).toEqual(['node a: is its own parent']);
    expect(checkLinks([{ node: 'a', parent: null }, { node: 'a', parent: 'b' }])).toContain('node a: listed twice');
    const cyc = checkLinks([{ node: 'a', parent: 'b' }, { node: 'b', parent: 'c' }, { node: 'c', parent: 'a' }]);
    expect(cyc).toHaveLength(3);
    expect(cyc[0]).toMatch(/node a: its parents form a cycle/);
  });

  it('refuses chains deeper than the limit', () => {
    const links = Array.from({ length: 20 }, (_, i) => ({ node: `n${i}`, parent: i === 0 ? null : `n${i - 1}` }));
    expect(checkLinks(links).some((p) => /n19: more than 16 levels/.test(p))).toBe(true);
  });
});
