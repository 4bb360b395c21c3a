import { describe, expect, it } from '@jest/globals';
import { UNITS } from '@zhuyun/protocol';
import { buildComparison, comparisonCsv, counterIncrease, type UnitFacts } from './comparison.js';

const facts = (availabilityPct: number | null, p1: number, ratePct: number | null, overdue = 0): UnitFacts => ({
  availability: { availabilityPct, upMinutes: 1000, downMinutes: 10, noDataMinutes: 5, incidents: { P1: p1, P2: 1 }, mttrMinutes: 42 },
  migration: { migrated: 3, denominator: 10, ratePct, overdue, omAtRisk: 2, omAtRiskCny: 150_000 },
  platform: null,
});

describe('buildComparison', () => {
  it('gives one row per unit with month over month in points and counts', () => {
    const cur = new Map([['520103', facts(99.5, 2, 30, 4)]]);
    const prev = new Map([['520103', facts(99.9, 0, 20, 5)]]);
    const rows = buildComparison(UNITS, cur, prev);
    expect(rows).toHaveLength(14);
    const yy = rows.find((r) => r.unit === '520103')!;
    expect(yy).toMatchObject({ kind: 'district', name: { zh: '云岩区' }, p1Incidents: 2, mttrMinutes: 42 });
    expect(yy.delta).toEqual({ availabilityPct: -0.4, p1Incidents: 2, mttrMinutes: 0, migrationRatePct: 10, overdue: -1, omAtRisk: 0 });
    const nm = rows.find((r) => r.unit === '520102')!;
    expect(nm.availability).toBeNull();
    expect(nm.delta.availabilityPct).toBeNull();
  });

  it('keeps a null rate null (no division by zero turned into 0 %)', () => {
    const rows = buildComparison(UNITS, new Map([['520103', facts(null, 0, null)]]), new Map([['520103', facts(99, 0, 50)]]));
    const yy = rows.find((r) => r.unit === '520103')!;
    expect(yy.delta.availabilityPct).toBeNull();
    expect(yy.delta.migrationRatePct).toBeNull();
  });

  it.each([
    ['include', 14],
    ['exclude', 10],
    ['only', 4],
  ] as const)('zones=%s gives %i rows', (zones, n) => {
    expect(buildComparison(UNITS, new Map(), new Map(), zones)).toHaveLength(n);
  });
});

describe('counterIncrease', () => {
  it.each<[number[], number]>([
    [[], 0],
    [[5], 0],
    [[10, 15, 30], 20],
    [[100, 120, 7, 20], 20 + 7 + 13], // restart after 120: the new count 7 is all new
    [[3, 3, 3], 0],
  ])('%j grew by %i', (maxima, expected) => {
    expect(counterIncrease(maxima)).toBe(expected);
  });
});

describe('comparisonCsv', () => {
  it('starts with a BOM, uses CRLF, and quotes what needs it', () => {
    const rows = buildComparison(UNITS, new Map([['520103', facts(99.5, 2, 30)]]), new Map(), 'exclude');
    const csv = comparisonCsv(rows);
    expect(csv.startsWith('\uFEFF单位代码(code),')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(12); // header, 10 districts, final empty
    expect(lines.find((l) => l.startsWith('520103'))).toMatch(/^520103,云岩区,区县,99\.500,1000,10,5,2,42\.0,30\.0,3,10,0,2,150000,/);
    expect(lines[1].split(',')).toHaveLength(lines[0].split(',').length);
  });
});
