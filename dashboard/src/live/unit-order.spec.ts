import { describe, expect, it } from '@jest/globals';
import type { UnitSummary } from '@zhuyun/protocol';
import { levelLines, sortUnitsWorstFirst } from './unit-order';

function unit(code: string, down: number, degraded: number, up = 10): UnitSummary {
  return { code, status: down ? 'down' : degraded ? 'degraded' : 'up', counts: { up, degraded, down, unknown: 0 }, latencyMs: null, lossPct: null };
}

describe('units worst first', () => {
  it.each<[string, UnitSummary[], 'zh-CN' | 'en', string[]]>([
    ['most down first', [unit('520102', 1, 0), unit('520103', 3, 0), unit('520111', 2, 9)], 'zh-CN', ['520103', '520111', '520102']],
    ['then most degraded', [unit('520102', 0, 1), unit('520103', 0, 4), unit('520111', 0, 0)], 'zh-CN', ['520103', '520102', '520111']],
    // 白云区 bái, 高新区 gāo, 观山湖区 guān, 花溪区 huā, 南明区 nán, 云岩区 yún: pinyin order in Chinese.
    ['then by name: pinyin in Chinese (a zone by its short name)', [unit('520103', 0, 0), unit('520102', 0, 0), unit('gy-hitech', 0, 0), unit('520113', 0, 0), unit('520111', 0, 0), unit('520115', 0, 0)], 'zh-CN', ['520113', 'gy-hitech', '520115', '520111', '520102', '520103']],
    // Baiyun, Guanshanhu, Hi-tech Zone, Huaxi, Nanming.
    ['then by name: alphabetical in English', [unit('520102', 0, 0), unit('520111', 0, 0), unit('gy-hitech', 0, 0), unit('520115', 0, 0), unit('520113', 0, 0)], 'en', ['520113', '520115', 'gy-hitech', '520111', '520102']],
    ['down outranks degraded whatever the number', [unit('520102', 0, 50), unit('520103', 1, 0)], 'en', ['520103', '520102']],
  ])('%s', (_name, units, locale, want) => {
    expect(sortUnitsWorstFirst(units, locale).map((u) => u.code)).toEqual(want);
  });

  it('leaves its input as it was', () => {
    const units = [unit('520102', 0, 0), unit('520103', 1, 0)];
    sortUnitsWorstFirst(units, 'zh-CN');
    expect(units.map((u) => u.code)).toEqual(['520102', '520103']);
  });
});

describe('a unit per level', () => {
  it('lists the levels it has nodes of, in the tree\'s order, with the down and degraded', () => {
    const c = (up: number, degraded = 0, down = 0, unknown = 0) => ({ up, degraded, down, unknown });
    expect(levelLines({ levels: { village: c(120, 2, 1), core: c(0, 0, 1), department: c(3), township: c(0) } })).toEqual([
      { level: 'core', total: 1, down: 1, degraded: 0 },
      { level: 'village', total: 123, down: 1, degraded: 2 },
      { level: 'department', total: 3, down: 0, degraded: 0 },
    ]);
    expect(levelLines({})).toEqual([]);
  });
});
