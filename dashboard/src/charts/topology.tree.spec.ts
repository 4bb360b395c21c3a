import { describe, expect, it } from '@jest/globals';
import { UNITS, type NodeStatus } from '@zhuyun/protocol';
import { TREE_LAYOUT, TREE_LAYOUT_COMPACT, treeCanvasSize, topologyTreeOption, treeItems } from './topology-tree.option';
import type { TopologyNode } from './topology.option';
import { CITY_ID, buildTopologyTree, drawnExtent, drawnVertices, pathTo, sameTopologyShape, searchTopology, unitVertexId, updateTopologyTree, worstOfSubtree } from './topology.tree';
import { vertexName } from './topology-tree.option';

const n = (node: string, parent: string | undefined, unit: string, role: string, status: NodeStatus = 'up', name?: string): TopologyNode => ({
  node,
  ...(parent ? { parent } : {}),
  unit,
  role,
  status,
  configured: false,
  ...(name ? { name } : {}),
});

/** A small city as the simulation draws it: the city core, two unit cores, townships, villages, departments. */
function city(): TopologyNode[] {
  return [
    n('gy-core', undefined, '520115', 'core', 'up', '贵阳市电子政务外网核心'),
    n('gy-dept-bigdata', 'gy-core', '520115', 'access', 'up', '大数据局'),
    n('520181-core-1', 'gy-core', '520181', 'core', 'up', '清镇市汇聚节点'),
    n('520181-dept-gov', '520181-core-1', '520181', 'access'),
    n('t520181001', '520181-core-1', '520181', 'access', 'up', '青龙山街道'),
    n('v520181001001', 't520181001', '520181', 'access', 'up', '百花社区'),
    n('v520181001002', 't520181001', '520181', 'access', 'up', '站街社区'),
    n('t520181100', '520181-core-1', '520181', 'access', 'up', '红枫湖镇'),
    n('v520181100001', 't520181100', '520181', 'access', 'up', '右二村'),
    n('520115-core-1', 'gy-core', '520115', 'core', 'up', '观山湖区汇聚节点'),
    n('t520115001', '520115-core-1', '520115', 'access', 'up', '宾阳街道'),
  ];
}

describe('buildTopologyTree', () => {
  it('hangs the units under the city core, a unit folded with its one core, townships and villages below', () => {
    const tree = buildTopologyTree(city());
    expect(tree.root).toBe('gy-core');
    expect(tree.vertices.get('gy-core')!.children).toEqual([unitVertexId('520115'), unitVertexId('520181')]);
    // Qingzhen: its core folded into the unit; townships (with villages) before the department.
    const qz = tree.vertices.get(unitVertexId('520181'))!;
    expect(qz.node).toBe('520181-core-1');
    expect(qz.children).toEqual(['t520181001', 't520181100', '520181-dept-gov']);
    expect(tree.vertices.has('520181-core-1')).toBe(false);
    expect(tree.vertexOfNode.get('520181-core-1')).toBe(unitVertexId('520181'));
    expect(tree.vertices.get('t520181001')!.children).toEqual(['v520181001001', 'v520181001002']);
    // Guanshanhu holds the city's departments beside its own core: two top nodes, no folding.
    expect(tree.vertices.get(unitVertexId('520115'))!.children).toEqual(['520115-core-1', 'gy-dept-bigdata']);
    expect(tree.vertices.get('v520181100001')!.depth).toBe(3);
  });

  it('draws a root of its own when no node is the city core (a district user sees one unit)', () => {
    const tree = buildTopologyTree(city().filter((x) => x.unit === '520181'));
    expect(tree.root).toBe(CITY_ID);
    expect(tree.vertices.get(CITY_ID)!.children).toEqual([unitVertexId('520181')]);
    expect(tree.vertices.get('t520181001')!.parent).toBe(unitVertexId('520181'));
  });

  it('cuts a loop in bad data at the unit instead of losing the nodes', () => {
    const tree = buildTopologyTree([n('a', 'b', '520103', 'access'), n('b', 'a', '520103', 'access')]);
    const drawn = drawnVertices(tree, new Set(tree.vertices.keys()));
    expect(drawn.sort()).toEqual(['a', 'b', CITY_ID, unitVertexId('520103')].sort());
  });
});

describe('worstOfSubtree', () => {
  it('a unit with 5 of 9 nodes down is down, not green: the whole subtree counts, not only its core', () => {
    const nodes = [n('520103-core-1', undefined, '520103', 'core')];
    for (let i = 1; i <= 8; i++) nodes.push(n(`t52010300${i}`, '520103-core-1', '520103', 'access', i <= 5 ? 'down' : 'up'));
    const tree = buildTopologyTree(nodes);
    const s = worstOfSubtree(tree, tree.status).get(unitVertexId('520103'))!;
    expect(s.worst).toBe('down');
    expect(s.total).toBe(9);
    expect(s.counts).toEqual({ up: 4, degraded: 0, down: 5, unknown: 0 });
    expect(worstOfSubtree(tree, tree.status).get(CITY_ID)!.worst).toBe('down');
  });

  it('a village down turns its township, its unit and the city; a sibling township stays as it is', () => {
    const tree = buildTopologyTree(city());
    const status = new Map(tree.status);
    status.set('v520181100001', 'degraded');
    const s = worstOfSubtree(tree, (id) => status.get(id));
    expect(s.get('t520181100')!.worst).toBe('degraded');
    expect(s.get(unitVertexId('520181'))!.worst).toBe('degraded');
    expect(s.get('gy-core')!.worst).toBe('degraded');
    expect(s.get('t520181001')!.worst).toBe('up');
    expect(s.get(unitVertexId('520115'))!.worst).toBe('up');
    expect(s.get('gy-core')!.total).toBe(11);
    // A node with no status counts as unknown (worse than up).
    expect(worstOfSubtree(tree, () => undefined).get('t520181001')!.worst).toBe('unknown');
  });
});

describe('search and paths', () => {
  const tree = buildTopologyTree(city());
  const name = (id: string) => vertexName(tree.vertices.get(id)!, 'zh-CN');
  it('finds a village by its 12-digit code, a township by name, a unit by its core id or name', () => {
    const nameOf = (v: Parameters<typeof vertexName>[0]) => vertexName(v, 'zh-CN');
    expect(searchTopology(tree, '520181100001', nameOf)[0]).toBe('v520181100001');
    expect(searchTopology(tree, '红枫湖', nameOf)[0]).toBe('t520181100');
    expect(searchTopology(tree, '520181-core-1', nameOf)[0]).toBe(unitVertexId('520181'));
    expect(searchTopology(tree, '清镇', nameOf)[0]).toBe(unitVertexId('520181'));
    expect(searchTopology(tree, '  ', nameOf)).toEqual([]);
    expect(searchTopology(tree, 'no-such-node', nameOf)).toEqual([]);
    expect(name('t520181100')).toBe('红枫湖镇');
  });
  it('the path to a village runs city → unit → township → village', () => {
    expect(pathTo(tree, 'v520181100001')).toEqual(['gy-core', unitVertexId('520181'), 't520181100', 'v520181100001']);
    expect(pathTo(tree, 'nowhere')).toEqual([]);
  });
});

/** A generated city of about `total` nodes: 14 units, townships of 12 villages. */
function generated(total: number): TopologyNode[] {
  const out: TopologyNode[] = [n('gy-core', undefined, '520115', 'core')];
  const per = Math.floor((total - 1) / UNITS.length);
  for (const u of UNITS) {
    const core = `${u.code}-core-1`;
    out.push(n(core, 'gy-core', u.code, 'core'));
    let t = 0;
    for (let i = 1; i < per; i++) {
      if ((i - 1) % 13 === 0) {
        t++;
        out.push(n(`t-${u.code}-${t}`, core, u.code, 'access'));
      } else out.push(n(`v-${u.code}-${t}-${i}`, `t-${u.code}-${t}`, u.code, 'access', i % 97 === 0 ? 'down' : 'up'));
    }
  }
  return out;
}

describe('topologyTreeOption', () => {
  it('starts collapsed at the city and its units, each labelled with its worst status and counts', () => {
    const nodes = city();
    nodes.find((x) => x.node === 'v520181001002')!.status = 'down';
    const tree = buildTopologyTree(nodes);
    const items = treeItems(topologyTreeOption(tree, new Set([tree.root]), { locale: 'zh-CN', theme: 'dark' }));
    expect(items.map((i) => i.vid)).toEqual(['gy-core', unitVertexId('520115'), unitVertexId('520181')]);
    const qz = items.find((i) => i.vid === unitVertexId('520181'))!;
    expect(qz.status).toBe('down');
    expect(qz.text).toBe('清镇市 · 1 中断 / 7');
    expect(qz.expandable && !qz.expanded).toBe(true);
    expect(items.find((i) => i.vid === unitVertexId('520115'))!.text).toBe('观山湖区 · 3');
    const en = treeItems(topologyTreeOption(tree, new Set([tree.root]), { locale: 'en', theme: 'dark' }));
    expect(en.find((i) => i.vid === unitVertexId('520181'))!.text).toBe('Qingzhen · 1 Down / 7');
  });

  it('expanding a unit draws its townships and departments; a village found is highlighted', () => {
    const tree = buildTopologyTree(city());
    const open = new Set([tree.root, unitVertexId('520181')]);
    let items = treeItems(topologyTreeOption(tree, open, { locale: 'zh-CN', theme: 'dark' }));
    expect(items.map((i) => i.vid)).toEqual(['gy-core', unitVertexId('520115'), unitVertexId('520181'), 't520181001', 't520181100', '520181-dept-gov']);
    for (const id of pathTo(tree, 'v520181100001')) open.add(id);
    items = treeItems(topologyTreeOption(tree, open, { locale: 'zh-CN', theme: 'dark', highlight: 'v520181100001' }));
    const v = items.find((i) => i.vid === 'v520181100001')!;
    expect(v.highlighted).toBe(true);
    expect(v.text).toBe('右二村');
  });

  it('a 10,000-node city draws only what is expanded', () => {
    const tree = buildTopologyTree(generated(10_000));
    expect(tree.vertices.size).toBeGreaterThan(9_900 - UNITS.length);
    const collapsed = treeItems(topologyTreeOption(tree, new Set([tree.root]), { locale: 'zh-CN', theme: 'dark' }));
    expect(collapsed.length).toBe(1 + UNITS.length);
    const unit = unitVertexId(UNITS[0].code);
    const townships = tree.vertices.get(unit)!.children;
    const open = new Set([tree.root, unit, townships[0]]);
    const some = treeItems(topologyTreeOption(tree, open, { locale: 'zh-CN', theme: 'dark' }));
    expect(some.length).toBe(drawnVertices(tree, open).length);
    expect(some.length).toBe(1 + UNITS.length + townships.length + tree.vertices.get(townships[0])!.children.length);
    expect(some.length).toBeLessThan(100);
    // The counts still cover every node.
    expect(collapsed[0].total).toBe(generated(10_000).length);
    expect(collapsed[0].status).toBe('down');
  });

  it('gives the drawn tree a column per level and a row per drawn leaf (the view scrolls, labels never pile up)', () => {
    const tree = buildTopologyTree(city());
    expect(drawnExtent(tree, new Set([tree.root]))).toEqual({ columns: 2, rows: 2 });
    const open = new Set([tree.root, unitVertexId('520181'), 't520181001']);
    // 观山湖 folded, 清镇's second township and department, and the two villages of the first.
    expect(drawnExtent(tree, open)).toEqual({ columns: 4, rows: 5 });
    const L = TREE_LAYOUT;
    expect(treeCanvasSize(tree, open)).toEqual({ width: L.left + L.right + 3 * L.column, height: L.top + L.bottom + 5 * L.row });
    // A phone: the folded city (two columns) fits the 340 px a 390 px screen leaves the chart.
    expect(treeCanvasSize(tree, new Set([tree.root]), 1, true).width).toBe(TREE_LAYOUT_COMPACT.left + TREE_LAYOUT_COMPACT.right + TREE_LAYOUT_COMPACT.column);
    expect(treeCanvasSize(tree, new Set([tree.root]), 1, true).width).toBeLessThanOrEqual(340);
  });

  it('names a zone by its short name in Chinese, a district by its full name', () => {
    const tree = buildTopologyTree([n('gy-hitech-core-1', undefined, 'gy-hitech', 'core'), n('520181-core-1', undefined, '520181', 'core')]);
    const texts = treeItems(topologyTreeOption(tree, new Set([tree.root]), { locale: 'zh-CN', theme: 'dark' })).map((i) => i.text);
    // A unit that is only its core has nothing to open: no count, its status word when not up.
    expect(texts).toEqual(['市级核心 · 2', '清镇市', '高新区']);
  });
});


/** The summaries by the definition, one subtree walk per vertex (quadratic; the reference only). */
function naiveSummary(tree: ReturnType<typeof buildTopologyTree>, status: (id: string) => NodeStatus | undefined, id: string): { worst: NodeStatus; total: number; counts: Record<NodeStatus, number> } {
  const counts: Record<NodeStatus, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
  const stack = [id];
  while (stack.length) {
    const v = tree.vertices.get(stack.pop()!)!;
    if (v.node) counts[status(v.node) ?? 'unknown']++;
    stack.push(...v.children);
  }
  const total = counts.up + counts.degraded + counts.down + counts.unknown;
  const worst: NodeStatus = counts.down ? 'down' : counts.degraded ? 'degraded' : counts.unknown || total === 0 ? 'unknown' : 'up';
  return { worst, total, counts };
}

describe('the 10,000-node city in one linear pass', () => {
  const nodes10k = generated(10_000);
  const tree = buildTopologyTree(nodes10k);
  const cases: Array<{ name: string; status: (id: string) => NodeStatus | undefined }> = [
    { name: 'as generated (every 97th village down)', status: (id) => tree.status.get(id) },
    { name: 'every node up', status: () => 'up' },
    { name: 'no status at all', status: () => undefined },
    { name: 'one village degraded, the rest up', status: (id) => (id === nodes10k[nodes10k.length - 1].node ? 'degraded' : 'up') },
    { name: 'every unit core down', status: (id) => (id.endsWith('-core-1') ? 'down' : 'up') },
  ];

  it('keeps every vertex once in breadth-first order, each parent before its children', () => {
    expect(tree.order.length).toBe(tree.vertices.size);
    expect(new Set(tree.order).size).toBe(tree.vertices.size);
    expect(tree.order[0]).toBe(tree.root);
    const at = new Map(tree.order.map((id, i) => [id, i]));
    expect([...tree.vertices.values()].filter((v) => v.parent !== null && at.get(v.parent)! > at.get(v.id)!).map((v) => v.id)).toEqual([]);
    expect(tree.order.filter((id, i) => i > 0 && tree.vertices.get(id)!.depth < tree.vertices.get(tree.order[i - 1])!.depth)).toEqual([]);
  });

  it.each(cases)('worst of subtree equals a walk of each subtree: $name', ({ status }) => {
    const s = worstOfSubtree(tree, status);
    expect(s.size).toBe(tree.vertices.size);
    // Every unit and township, the root, and a sample of villages.
    const ids = tree.order.filter((id, i) => tree.vertices.get(id)!.children.length > 0 || i % 101 === 0);
    for (const id of ids) expect(s.get(id)).toEqual(naiveSummary(tree, status, id));
    expect(s.get(tree.root)!.total).toBe(nodes10k.length);
  });

  it('the option drawn with the view’s summaries is the option drawn with its own', () => {
    const unit = unitVertexId(UNITS[3].code);
    const open = new Set([tree.root, unit, tree.vertices.get(unit)!.children[0]]);
    const summary = worstOfSubtree(tree, tree.status);
    const own = treeItems(topologyTreeOption(tree, open, { locale: 'zh-CN', theme: 'dark' }));
    const given = treeItems(topologyTreeOption(tree, open, { locale: 'zh-CN', theme: 'dark', summary }));
    expect(given).toEqual(own);
    expect(given.length).toBe(drawnVertices(tree, open).length);
  });
});

describe('updateTopologyTree: a re-read of the 10,000-node city', () => {
  const before = generated(10_000);
  const prev = { tree: buildTopologyTree(before), nodes: before };
  const last = before.length - 1;
  const edit = (f: (x: TopologyNode[]) => void) => {
    const x = before.map((y) => ({ ...y }));
    f(x);
    return x;
  };
  const cases: Array<{ name: string; nodes: TopologyNode[]; reused: boolean }> = [
    { name: 'the same answer again', nodes: edit(() => {}), reused: true },
    { name: 'statuses moved (a village down, a unit core degraded)', nodes: edit((x) => ((x[last].status = 'down'), (x[1].status = 'degraded'))), reused: true },
    { name: 'a village moved to another township', nodes: edit((x) => (x[last].parent = x[2].node)), reused: false },
    { name: 'a node became unreachable (behind)', nodes: edit((x) => (x[last].behind = x[last].parent)), reused: false },
    { name: 'a node renamed', nodes: edit((x) => (x[last].name = '新村')), reused: false },
    { name: 'a node added', nodes: edit((x) => x.push(n('v-new', x[2].node, x[2].unit!, 'access'))), reused: false },
    { name: 'a node gone', nodes: edit((x) => x.pop()), reused: false },
  ];
  it.each(cases)('$name: reused $reused, and the same tree as built afresh', ({ nodes, reused }) => {
    expect(sameTopologyShape(before, nodes)).toBe(reused);
    const t = updateTopologyTree(prev, nodes);
    expect(t.vertices === prev.tree.vertices).toBe(reused);
    const fresh = buildTopologyTree(nodes);
    expect(t.root).toBe(fresh.root);
    expect(t.order).toEqual(fresh.order);
    expect([...t.status]).toEqual([...fresh.status]);
    const s = worstOfSubtree(t, t.status);
    const f = worstOfSubtree(fresh, fresh.status);
    expect(s.get(t.root)).toEqual(f.get(fresh.root));
    expect([...t.vertices.values()].filter((v) => JSON.stringify(v) !== JSON.stringify(fresh.vertices.get(v.id))).map((v) => v.id)).toEqual([]);
  });
  it('the first answer builds the tree', () => {
    expect(updateTopologyTree(null, before).order).toEqual(prev.tree.order);
  });
});
