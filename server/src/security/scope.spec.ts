import { describe, expect, it } from '@jest/globals';
import type { SlaService } from '../sla/sla.service.js';
import type { StatusService } from '../status/status.service.js';
import type { Principal } from './principal.js';
import { ScopeService, confinedUnit, reachKey, reachOfKey, seesCredentials } from './scope.js';

/** The live state as the scope sees it: which unit a node belongs to. */
const nodes: Record<string, string> = { 'yy-core-1': '520103', 'nm-core-1': '520102', 'by-hitech-1': 'gy-hitech' };
const platforms: Record<string, string> = { 'share-platform': 'share' };
nodes['share-platform'] = '520115';
const status = { node: (id: string) => (nodes[id] ? { id, unit: nodes[id], ...(platforms[id] ? { platform: platforms[id] } : {}) } : null) } as unknown as StatusService;
const contracts = [
  { operator: '电信', services: ['extranet:520103', 'share'] },
  { operator: '联通', services: ['extranet:520102'] },
];
const sla = { listContracts: async () => contracts } as unknown as SlaService;
const scope = new ScopeService(status, sla);

const district = (code: string): Principal => ({ userId: 'u', username: `d-${code}`, role: 'district', district: code });
const ops: Principal = { userId: 'o', username: 'ops', role: 'ops' };
const SELECTORS = { district: 'unit', unit: 'unit', node: 'node' } as const;

describe('ScopeService.confine: every selector is checked, whatever its name', () => {
  it('refuses another unit named by district, unit or node, and names the parameter', () => {
    const p = district('520103');
    expect(() => scope.confine(p, { unit: '520102' }, SELECTORS)).toThrow(/^unit="520102": that unit is not in 520103/);
    expect(() => scope.confine(p, { district: '520102' }, SELECTORS)).toThrow(/^district=/);
    expect(() => scope.confine(p, { node: 'nm-core-1' }, SELECTORS)).toThrow(/^node="nm-core-1": that node is not in 520103/);
    // A node the live state does not know is nobody's: refused.
    expect(() => scope.confine(p, { node: 'nowhere' }, SELECTORS)).toThrow(/^node=/);
    // Every value of a repeated parameter, and a parameter sent as an object.
    expect(() => scope.confine(p, { unit: ['520103', '520102'] }, SELECTORS)).toThrow(/^unit="520102"/);
    expect(() => scope.confine(p, { unit: { a: '520103' } }, SELECTORS)).toThrow(/^unit=/);
  });

  it('lets the own unit through and fixes the forced selector to it', () => {
    const p = district('520103');
    expect(scope.confine(p, { unit: '520103', node: 'yy-core-1', metric: 'm' }, SELECTORS, 'unit')).toEqual({ unit: '520103', node: 'yy-core-1', metric: 'm' });
    expect(scope.confine(p, { metric: 'm' } as Record<string, string>, SELECTORS, 'unit')).toEqual({ metric: 'm', unit: '520103' });
  });

  it('keeps a zone apart from the district it stands in (Article 9), and reads a retired code as its successor', () => {
    expect(() => scope.confine(district('520113'), { unit: 'gy-hitech' }, SELECTORS)).toThrow(/^unit=/);
    expect(() => scope.confine(district('520113'), { node: 'by-hitech-1' }, SELECTORS)).toThrow(/^node=/);
    expect(scope.confine(district('gy-hitech'), { node: 'by-hitech-1', district: 'gy-hitech' }, SELECTORS)).toEqual({ node: 'by-hitech-1', district: 'gy-hitech' });
    expect(scope.confine(district('520111'), { district: '520114' }, SELECTORS)).toEqual({ district: '520114' });
  });

  it('does not confine ops, leader or admin', () => {
    expect(confinedUnit(ops)).toBeUndefined();
    expect(scope.confine(ops, { unit: '520102', node: 'nowhere' }, SELECTORS, 'unit')).toEqual({ unit: '520102', node: 'nowhere' });
    expect(scope.seesUnit(ops, null)).toBe(true);
    expect(scope.seesUnit(district('520103'), null)).toBe(false);
  });

  it('gives robot credentials to admin and ops only', () => {
    expect(['admin', 'ops', 'leader', 'operator', 'district'].filter((role) => seesCredentials({ userId: 'x', username: 'x', role } as Principal))).toEqual(['admin', 'ops']);
  });
});

describe('ScopeService.reach: where an operator and a district user reach (issue 15)', () => {
  const operator = (name: string): Principal => ({ userId: 'p', username: `op-${name}`, role: 'operator', operator: name });

  it('gives an operator the units of its contracts\' extranet and their platforms, a district user its unit, ops everything', async () => {
    const r = (await scope.reach(operator('电信')))!;
    expect([...r.units]).toEqual(['520103']);
    expect([...r.platforms]).toEqual(['share']);
    expect(scope.nodeInReach(r, 'yy-core-1')).toBe(true);
    expect(scope.nodeInReach(r, 'nm-core-1')).toBe(false);
    // A platform node is the platform's, wherever it stands.
    expect(scope.nodeInReach(r, 'share-platform')).toBe(true);
    expect(scope.nodeInReach((await scope.reach(operator('联通')))!, 'share-platform')).toBe(false);
    expect(scope.nodeInReach(r, 'nowhere')).toBe(false);
    expect(scope.alertInReach(r, { unit: '520103', node: 'gone-node' })).toBe(true);
    expect(scope.alertInReach(r, { unit: '520102', node: 'nm-core-1' })).toBe(false);
    expect([...(await scope.reach(district('520103')))!.units]).toEqual(['520103']);
    expect(await scope.reach(ops)).toBeUndefined();
    // An operator no contract names reaches nothing.
    const none = (await scope.reach(operator('nobody')))!;
    expect(none.units.size + none.platforms.size).toBe(0);
  });

  it('checks an operator\'s selectors against its reach, naming the parameter', async () => {
    const p = operator('电信');
    const r = (await scope.reach(p))!;
    expect(() => scope.checkSelectors(p, r, { district: '520102' }, SELECTORS)).toThrow(/^district="520102": that unit is not covered/);
    expect(() => scope.checkSelectors(p, r, { node: 'nm-core-1' }, SELECTORS)).toThrow(/^node=/);
    expect(() => scope.checkSelectors(p, r, { district: '520103', node: 'share-platform' }, SELECTORS)).not.toThrow();
  });

  it('writes a reach as a room key and reads it back', async () => {
    const r = (await scope.reach(operator('电信')))!;
    expect(reachKey(r)).toBe('o:520103|share');
    expect(reachOfKey(reachKey(r))).toEqual(r);
    expect(reachOfKey('d:520103|')).toEqual({ kind: 'district', units: new Set(['520103']), platforms: new Set() });
    expect(reachOfKey('nonsense')).toBeUndefined();
  });
});
