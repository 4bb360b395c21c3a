import { describe, expect, it } from '@jest/globals';
import { DISTRICTS, ZONES, type NodeStatus, type UnitSummary } from '@zhuyun/protocol';
import { GUIYANG_MAP, mapOption, mapRegionNames, type MapItemExtra } from './map.option';
import { PALETTES } from './theme';

const STATUSES: NodeStatus[] = ['up', 'degraded', 'down', 'unknown'];

/** A summary per unit, statuses cycling so all four appear among the districts and the zones. */
function summaries(): UnitSummary[] {
  return [...DISTRICTS, ...ZONES].map((u, i) => ({
    code: u.code,
    status: STATUSES[i % 4],
    counts: { up: 3, degraded: i % 4 === 1 ? 1 : 0, down: i % 4 === 2 ? 1 : 0, unknown: i % 4 === 3 ? 1 : 0 },
    latencyMs: 5 + i,
    lossPct: 0.01 * i,
  }));
}

type Item = MapItemExtra & {
  name: string;
  value: unknown;
  symbol?: string;
  itemStyle: { areaColor?: string; color?: string; borderColor?: string };
  label: { formatter: string };
};
type AnySeries = { id: string; type: string; map?: string; nameMap?: Record<string, string>; data: Item[] };

function seriesOf(option: ReturnType<typeof mapOption>, id: string): AnySeries {
  const s = (option.series as AnySeries[]).find((x) => x.id === id);
  if (!s) throw new Error(`no series ${id}`);
  return s;
}

describe('mapOption', () => {
  const units = summaries();
  const statusOf = (code: string) => units.find((u) => u.code === code)!.status;

  it('draws the ten districts on the Guiyang map, each filled with its status colour', () => {
    const opt = mapOption(units, { locale: 'zh-CN', theme: 'dark' });
    const map = seriesOf(opt, 'districts');
    expect(map.type).toBe('map');
    expect(map.map).toBe(GUIYANG_MAP);
    expect(map.data.map((d) => d.code)).toEqual(DISTRICTS.map((d) => d.code));
    for (const d of map.data) {
      expect(d.status).toBe(statusOf(d.code));
      expect(d.itemStyle.areaColor).toBe(PALETTES.dark.area[d.status]);
    }
    // Four statuses, four different fills.
    expect(new Set(map.data.map((d) => d.itemStyle.areaColor)).size).toBe(4);
  });

  it('shows each district status as a shape in its label, as a word when not up, and in the tooltip', () => {
    const map = seriesOf(mapOption(units, { locale: 'zh-CN', theme: 'dark' }), 'districts');
    const words = { up: '正常', degraded: '降级', down: '中断', unknown: '未知' };
    const glyphs = { up: '●', degraded: '▲', down: '■', unknown: '◆' };
    for (const d of map.data) {
      const unit = DISTRICTS.find((x) => x.code === d.code)!;
      expect(d.label.formatter).toContain(unit.zhShort);
      expect(d.label.formatter).toContain(glyphs[d.status]);
      if (d.status !== 'up') expect(d.label.formatter).toContain(words[d.status]);
      else expect(d.label.formatter).not.toContain(words.up);
      expect(d.tip).toContain(words[d.status]);
      expect(d.tip).toContain(unit.zh);
    }
    expect(map.data.find((d) => d.code === '520103')!.name).toBe('云岩区');
  });

  it('puts the four zones as markers at their coordinates, shaped and coloured by status', () => {
    const opt = mapOption(units, { locale: 'zh-CN', theme: 'dark' });
    const zones = seriesOf(opt, 'zones');
    expect(zones.type).toBe('scatter');
    expect(zones.data).toHaveLength(4);
    for (const z of ZONES) {
      const item = zones.data.find((d) => d.code === z.code)!;
      expect((item.value as number[]).slice(0, 2)).toEqual(z.marker);
      expect(item.name).toBe(z.zhShort);
      expect(item.label.formatter).toContain(z.zhShort);
      if (item.status !== 'up') expect(item.label.formatter).toContain({ degraded: '降级', down: '中断', unknown: '未知' }[item.status]);
      expect(item.tip).toContain(z.zh);
      expect(item.itemStyle.color).toBe(PALETTES.dark.status[statusOf(z.code)]);
    }
    expect(new Set(zones.data.map((d) => d.symbol)).size).toBe(new Set(zones.data.map((d) => d.status)).size);
    // Zones down or degraded also pulse; the others do not.
    const pulsing = seriesOf(opt, 'zones-alert').data.map((d) => d.name);
    const expected = ZONES.filter((z) => ['down', 'degraded'].includes(statusOf(z.code))).map((z) => z.zhShort);
    expect(pulsing).toEqual(expected);
  });

  it('names districts and zones in English when the locale is English', () => {
    const opt = mapOption(units, { locale: 'en', theme: 'dark' });
    const map = seriesOf(opt, 'districts');
    expect(mapRegionNames(opt)).toEqual(DISTRICTS.map((d) => d.en));
    expect(map.nameMap!['520103']).toBe('Yunyan');
    expect(map.data.find((d) => d.code === '520103')!.label.formatter).toContain('Degraded');
    expect(seriesOf(opt, 'zones').data.map((d) => d.name)).toEqual(ZONES.map((z) => z.en));
    expect(mapRegionNames(mapOption(units, { locale: 'zh-CN', theme: 'dark' }))).toEqual(DISTRICTS.map((d) => d.zh));
  });

  it('shows districts with no data as unknown (grey), never green, without the word on the map', () => {
    const map = seriesOf(mapOption([], { locale: 'zh-CN', theme: 'dark' }), 'districts');
    expect(map.data).toHaveLength(10);
    expect(map.data.every((d) => d.status === 'unknown' && d.itemStyle.areaColor === PALETTES.dark.area.unknown)).toBe(true);
    // Nobody reports yet: the shape only (the tooltip still says it); a unit whose nodes went silent says so.
    expect(map.data.every((d) => d.label.formatter.includes('◆') && !d.label.formatter.includes('未知'))).toBe(true);
    expect(map.data.every((d) => d.tip.includes('未知'))).toBe(true);
  });

  it('outlines the selected district or zone', () => {
    const opt = mapOption(units, { locale: 'zh-CN', theme: 'dark', selected: '520103' });
    const map = seriesOf(opt, 'districts');
    expect(map.data.find((d) => d.code === '520103')!.itemStyle.borderColor).toBe(PALETTES.dark.selected);
    expect(map.data.filter((d) => d.itemStyle.borderColor === PALETTES.dark.selected)).toHaveLength(1);
    const zoneOpt = mapOption(units, { locale: 'zh-CN', theme: 'dark', selected: 'gy-bonded' });
    expect(seriesOf(zoneOpt, 'zones').data.find((d) => d.code === 'gy-bonded')!.itemStyle.borderColor).toBe(PALETTES.dark.selected);
  });

  it('says in the tooltip how many nodes each level has and how many are down or degraded, and the stale apart', () => {
    const c = (up: number, degraded = 0, down = 0) => ({ up, degraded, down, unknown: 0 });
    const kaiyang: UnitSummary = {
      code: '520121', status: 'down', counts: c(140, 2, 1), latencyMs: 4, lossPct: 0, stale: 3,
      levels: { core: c(0, 0, 1), township: c(16), village: c(121, 2), department: c(3) },
    };
    const tipOf = (locale: 'zh-CN' | 'en') => seriesOf(mapOption([kaiyang], { locale, theme: 'dark' }), 'districts').data.find((d) => d.code === '520121')!.tip;
    const text = (html: string) => html.replace(/<\/div>/g, '\n').replace(/<[^>]+>/g, '');
    expect(text(tipOf('zh-CN'))).toContain('核心：1（中断 1）\n乡镇：16\n村（社区）：123（降级 2）\n部门：3\n长时间未上报（不计入）：3\n');
    expect(text(tipOf('en'))).toContain('Core: 1 (Down 1)\nTownships: 16\nVillages: 123 (Degraded 2)\nDepartments: 3\nSilent for long (not counted): 3\n');
    // Without a split (the small fleet), no level lines.
    expect(seriesOf(mapOption(units, { locale: 'zh-CN', theme: 'dark' }), 'districts').data.every((d) => !d.tip.includes('data-level'))).toBe(true);
  });
});
