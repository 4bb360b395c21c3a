import { describe, expect, it } from '@jest/globals';
import { CITY_ID, RING, buildTree, graphItems, topologyOption, unitVertexId, type TopologyNode } from './topology.option';
import { PALETTES } from './theme';

/** Yunyan as the simulated fleet draws it: a core node and three access nodes behind it. */
function yunyan(coreDown = false): TopologyNode[] {
  const core: TopologyNode = { node: '520103-core-1', role: 'core', unit: '520103', status: coreDown ? 'down' : 'up', configured: false };
  const acc = [1, 2, 3].map(
    (i): TopologyNode => ({
      node: `520103-acc-${i}`,
      parent: '520103-core-1',
      role: 'access',
      unit: '520103',
      status: coreDown ? 'down' : 'up',
      ...(coreDown ? { behind: '520103-core-1' } : {}),
      configured: false,
    }),
  );
  return [core, ...acc];
}

const baiyun: TopologyNode[] = [
  { node: '520113-core-1', role: 'core', unit: '520113', status: 'degraded', configured: false },
  { node: '520113-acc-1', parent: '520113-core-1', role: 'access', unit: '520113', status: 'up', configured: false },
];

describe('buildTree', () => {
  it('hangs the units under the city core and the nodes under their parents', () => {
    const tree = buildTree([...baiyun, ...yunyan()]);
    const parent = Object.fromEntries(tree.map((v) => [v.id, v.parent]));
    expect(parent).toEqual({
      [CITY_ID]: null,
      [unitVertexId('520103')]: CITY_ID,
      [unitVertexId('520113')]: CITY_ID,
      '520103-core-1': unitVertexId('520103'),
      '520103-acc-1': '520103-core-1',
      '520103-acc-2': '520103-core-1',
      '520103-acc-3': '520103-core-1',
      '520113-core-1': unitVertexId('520113'),
      '520113-acc-1': '520113-core-1',
    });
    const depth = Object.fromEntries(tree.map((v) => [v.id, v.depth]));
    expect(depth['520103-acc-2']).toBe(3);
  });

  it('gives a unit and the city the worst status under them', () => {
    const tree = buildTree([...baiyun, ...yunyan(true)]);
    const status = Object.fromEntries(tree.map((v) => [v.id, v.status]));
    expect(status[unitVertexId('520103')]).toBe('down');
    expect(status[unitVertexId('520113')]).toBe('degraded');
    expect(status[CITY_ID]).toBe('down');
  });

  it('lays out rings by depth, arcs by leaves', () => {
    const tree = buildTree([...baiyun, ...yunyan()]);
    for (const v of tree) expect(Math.hypot(v.x, v.y) / RING).toBeCloseTo(v.depth === 0 ? 0 : v.depth + 0.5, 3);
    // Yunyan has three leaves, Baiyun one: Yunyan's arc is three quarters of the circle.
    const a = (id: string) => tree.find((v) => v.id === id)!.angle;
    expect(a(unitVertexId('520103'))).toBeCloseTo((3 / 4) * Math.PI, 5);
    expect(a(unitVertexId('520113'))).toBeCloseTo((7 / 4) * Math.PI, 5);
  });

  it('puts a node without unit or known parent under the city, and survives a cycle', () => {
    const tree = buildTree([
      { node: 'x', status: 'up', configured: true },
      { node: 'a', parent: 'b', status: 'up', configured: true },
      { node: 'b', parent: 'a', status: 'up', configured: true },
    ]);
    expect(tree.find((v) => v.id === 'x')!.parent).toBe(CITY_ID);
    // a and b only reach each other: neither is under the city, and the walk ends.
    expect(tree.map((v) => v.id).sort()).toEqual([CITY_ID, 'x']);
  });
});

describe('topologyOption', () => {
  it('draws nodes behind a down parent hollow, dashed, labelled unreachable, with dashed links', () => {
    const option = topologyOption(yunyan(true), { locale: 'zh-CN', theme: 'dark' });
    const items = graphItems(option);
    const acc = items.find((d) => d.id === '520103-acc-1')!;
    expect(acc.behind).toBe('520103-core-1');
    expect(acc.text).toBe('520103-acc-1 不可达（上级中断）');
    const styled = acc as unknown as { itemStyle: { borderType: string; borderColor: string }; symbol: string };
    expect(styled.itemStyle.borderType).toBe('dashed');
    expect(styled.itemStyle.borderColor).toBe(PALETTES.dark.status.down);
    expect(styled.symbol).toBe('rect'); // down: a square, not only red
    const series = (option.series as Array<{ links: Array<{ source: string; target: string; lineStyle: { type: string } }> }>)[0];
    expect(series.links.find((l) => l.target === '520103-acc-1')!.lineStyle.type).toBe('dashed');
    // The unit is down (its nodes are), but the city → unit link is not cut: only links into nodes.
    expect(series.links.find((l) => l.target === 'unit:520103')!.lineStyle.type).toBe('solid');
  });

  it('shapes and words each status, and keeps up access nodes unlabelled', () => {
    const option = topologyOption(baiyun, { locale: 'en', theme: 'dark' });
    const items = graphItems(option) as unknown as Array<{ id: string; text: string; symbol: string; label: { show: boolean } }>;
    const core = items.find((d) => d.id === '520113-core-1')!;
    expect(core.symbol).toBe('triangle');
    expect(core.text).toBe('520113-core-1 Degraded');
    const acc = items.find((d) => d.id === '520113-acc-1')!;
    expect(acc.symbol).toBe('circle');
    expect(acc.label.show).toBe(false);
    const unit = items.find((d) => d.id === unitVertexId('520113'))!;
    expect(unit.text).toBe('Baiyun Degraded');
  });

  it('names the city core and the units in the language', () => {
    const zh = graphItems(topologyOption(yunyan(), { locale: 'zh-CN', theme: 'dark' }));
    expect(zh.find((d) => d.id === CITY_ID)!.text).toBe('市级核心');
    expect(zh.find((d) => d.id === unitVertexId('520103'))!.text).toBe('云岩');
    const en = graphItems(topologyOption(yunyan(), { locale: 'en', theme: 'dark' }));
    expect(en.find((d) => d.id === CITY_ID)!.text).toBe('City core');
  });

  it('draws an empty city as the city core alone', () => {
    expect(graphItems(topologyOption([], { locale: 'zh-CN', theme: 'dark' })).map((d) => d.id)).toEqual([CITY_ID]);
  });
});
