import { describe, expect, it } from '@jest/globals';
import type { NodePathHop } from '@zhuyun/protocol';
import { walkPath } from './node-path.js';

const hop = (id: string, status: NodePathHop['status'] = 'up'): NodePathHop => ({ id, name: id, level: null, unit: null, status, behind: null, lastSeen: null });

/** A tree as child → parent; the hops known are the keys and the values (but `ghost`). */
function tree(links: Record<string, string | null>, unknown: string[] = []) {
  const known = new Set([...Object.keys(links), ...Object.values(links).filter((v): v is string => !!v)].filter((id) => !unknown.includes(id)));
  return [(id: string) => (known.has(id) ? hop(id) : undefined), (id: string) => links[id]] as const;
}

describe('walkPath', () => {
  const city = { v1: 't1', t1: 'u1', u1: 'gy-core', 'gy-core': null };
  const cases: Array<{ name: string; links: Record<string, string | null>; unknown?: string[]; from: string; ids: string[] | undefined; cut: unknown }> = [
    { name: 'a village to the city core', links: city, from: 'v1', ids: ['v1', 't1', 'u1', 'gy-core'], cut: null },
    { name: 'the root alone', links: city, from: 'gy-core', ids: ['gy-core'], cut: null },
    { name: 'a node without a parent', links: { solo: null }, from: 'solo', ids: ['solo'], cut: null },
    { name: 'an unknown node', links: city, from: 'nope', ids: undefined, cut: undefined },
    { name: 'a parent nobody knows', links: { v1: 't1', t1: 'ghost' }, unknown: ['ghost'], from: 'v1', ids: ['v1', 't1'], cut: { reason: 'unknown-parent', parent: 'ghost' } },
    { name: 'a loop', links: { a: 'b', b: 'c', c: 'a' }, from: 'a', ids: ['a', 'b', 'c'], cut: { reason: 'cycle', parent: 'a' } },
    { name: 'its own parent', links: { a: 'a' }, from: 'a', ids: ['a'], cut: { reason: 'cycle', parent: 'a' } },
  ];
  it.each(cases)('$name', ({ links, unknown, from, ids, cut }) => {
    const [hopOf, parentOf] = tree(links, unknown);
    const p = walkPath(from, hopOf, parentOf);
    expect(p?.hops.map((h) => h.id)).toEqual(ids);
    expect(p?.cut).toEqual(cut);
  });

  it('stops a chain longer than any tree', () => {
    const links: Record<string, string> = {};
    for (let i = 0; i < 100; i++) links[`n${i}`] = `n${i + 1}`;
    const [hopOf, parentOf] = tree(links);
    const p = walkPath('n0', hopOf, parentOf)!;
    expect(p.hops).toHaveLength(32);
    expect(p.cut?.reason).toBe('cycle');
  });
});
