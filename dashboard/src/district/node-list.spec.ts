import { describe, expect, it } from '@jest/globals';
import type { NodeState, NodeStatus } from '@zhuyun/protocol';
import { codeOf, compareNodes, filterNodes, levelOf, nodeLabel, pageOf, queryFromRoute, routeQuery } from './node-list';

const node = (id: string, status: NodeStatus = 'up', extra: Partial<NodeState> = {}): NodeState => ({
  id, district: '520181', unit: '520181', status, reasons: [], lastSeen: 1, metrics: {}, ...extra,
});

describe('district node list', () => {
  it('reads the level from the tag, else from the city id scheme', () => {
    expect(levelOf(node('x', 'up', { level: 'village' }))).toBe('village');
    expect(levelOf(node('gy-core'))).toBe('city');
    expect(levelOf(node('520181-core-1'))).toBe('unit');
    expect(levelOf(node('t520181100'))).toBe('township');
    expect(levelOf(node('v520181100201'))).toBe('village');
    expect(levelOf(node('520181-dept-gov'))).toBe('department');
    expect(levelOf(node('lab-1'))).toBe('other');
    expect(codeOf('v520181100201')).toBe('520181100201');
    expect(codeOf('520181-core-1')).toBeNull();
  });

  it('puts problems first, then core, township, village, department, then names in natural order', () => {
    const rows = [
      node('v520181100210'), node('v520181100202'), node('t520181101'), node('520181-dept-gov'),
      node('520181-core-1'), node('v520181100203', 'unknown'), node('t520181100', 'degraded'), node('v520181100201', 'down'),
      node('x-10', 'up', { name: '村10' }), node('x-2', 'up', { name: '村2' }),
    ].sort(compareNodes);
    expect(rows.map((n) => n.id)).toEqual([
      'v520181100201', 't520181100', 'v520181100203',
      '520181-core-1', 't520181101', 'v520181100202', 'v520181100210', '520181-dept-gov', 'x-2', 'x-10',
    ]);
  });

  it('natural order: 2 before 10 in names and ids alike', () => {
    const rows = [node('n-10'), node('n-9'), node('n-1')].sort(compareNodes);
    expect(rows.map((n) => n.id)).toEqual(['n-1', 'n-9', 'n-10']);
  });

  it('finds by name, id or division code; filters by level and status', () => {
    const nodes = [node('t520181100', 'up', { name: '红枫湖镇' }), node('v520181100201', 'down', { name: '右七村' }), node('520181-core-1', 'degraded')];
    const ids = (q: Parameters<typeof filterNodes>[1]) => filterNodes(nodes, q).map((n) => n.id);
    const all = { q: '', level: null, status: null };
    expect(ids({ ...all, q: '红枫' })).toEqual(['t520181100']);
    expect(ids({ ...all, q: 'CORE' })).toEqual(['520181-core-1']);
    expect(ids({ ...all, q: '520181100201' })).toEqual(['v520181100201']);
    expect(ids({ ...all, q: '520181100' })).toEqual(['v520181100201', 't520181100']);
    expect(ids({ ...all, level: 'village' })).toEqual(['v520181100201']);
    expect(ids({ ...all, status: 'degraded' })).toEqual(['520181-core-1']);
    expect(ids({ q: '5201', level: 'township', status: 'down' })).toEqual([]);
  });

  it('pages rows, clamping the page asked for', () => {
    const rows = Array.from({ length: 255 }, (_, i) => i);
    expect(pageOf(rows, 1)).toMatchObject({ page: 1, pages: 6, total: 255, first: 0 });
    expect(pageOf(rows, 6).rows).toEqual(rows.slice(250));
    expect(pageOf(rows, 99).page).toBe(6);
    expect(pageOf([], 3)).toMatchObject({ page: 1, pages: 1, rows: [] });
  });

  it('round-trips the list state through the route query, dropping what is unknown', () => {
    const s = queryFromRoute({ q: '右七', level: 'village', status: 'down', page: '3' });
    expect(s).toEqual({ q: '右七', level: 'village', status: 'down', page: 3 });
    expect(routeQuery(s)).toEqual({ q: '右七', level: 'village', status: 'down', page: '3' });
    expect(queryFromRoute({ level: 'planet', status: 'fine', page: '-1' })).toEqual({ q: '', level: null, status: null, page: 1 });
    expect(routeQuery(queryFromRoute({}))).toEqual({});
  });

  it('labels a node name first, id second; the id alone without a name', () => {
    expect(nodeLabel(node('t520181100', 'up', { name: '红枫湖镇' }))).toBe('红枫湖镇 · t520181100');
    expect(nodeLabel(node('t520181100'))).toBe('t520181100');
  });
});
