import { describe, expect, it } from '@jest/globals';
import { UNITS } from '@zhuyun/protocol';
import { COVERAGE_MIN_PCT, buildComparison, comparisonCsv, counterIncrease, type UnitFacts } from './comparison.js';

const facts = (availabilityPct: number | null, p1: number, ratePct: number | null, overdue = 0): UnitFacts => ({
  availability: { availabilityPct, upMinutes: 1000, downMinutes: 10, noDataMinutes: 5, incidents: { P1: p1, P2: 1 }, mttrMinutes: 42 },
  migration: { migrated: 3, denominator: 10, ratePct, overdue, omAtRisk: 2, omAtRiskCny: 150_000 },
});

/** Availability from `up` UP and `down` DOWN minutes of `elapsed` minutes so far (the rest no data). */
const measured = (up: number, down: number, elapsed: number, p1 = 0): UnitFacts => ({
  availability: {
    availabilityPct: up + down ? (up / (up + down)) * 100 : null,
    upMinutes: up,
    downMinutes: down,
    noDataMinutes: elapsed - up - down,
    incidents: { P1: p1 },
    mttrMinutes: null,
  },
  migration: null,
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

describe('coverage (issue 15 item 12)', () => {
  it('states measured minutes of the minutes so far beside every availability, and flags thin coverage', () => {
    const cur = new Map([
      ['520103', measured(10, 0, 3_775)], // 100 % from 10 of 3,775 minutes
      ['520102', measured(3_700, 5, 3_775)],
    ]);
    const rows = buildComparison(UNITS, cur, new Map());
    const yy = rows.find((r) => r.unit === '520103')!;
    expect(yy.coverage).toEqual({ measuredMinutes: 10, elapsedMinutes: 3_775, pct: 0.265 });
    expect(yy.lowCoverage).toBe(true);
    const nm = rows.find((r) => r.unit === '520102')!;
    expect(nm.coverage).toEqual({ measuredMinutes: 3_705, elapsedMinutes: 3_775, pct: 98.146 });
    expect(nm.lowCoverage).toBe(false);
    expect(COVERAGE_MIN_PCT).toBe(90);
    // Not measured at all (no SLA module): no coverage, not flagged as thin either.
    expect(rows.find((r) => r.unit === '520111')).toMatchObject({ coverage: null, lowCoverage: false });
  });

  it('writes coverage and its minutes in the CSV beside the availability', () => {
    const csv = comparisonCsv(buildComparison(UNITS, new Map([['520103', measured(10, 0, 3_775)]]), new Map(), 'exclude'), null);
    const [header, ...lines] = csv.slice(1).split('\r\n');
    const cols = header.split(',');
    const yy = lines.find((l) => l.startsWith('520103'))!.split(',');
    expect(yy[cols.indexOf('覆盖率%(coverage)')]).toBe('0.3');
    expect(yy[cols.indexOf('已测分钟(measured min)')]).toBe('10');
    expect(yy[cols.indexOf('应测分钟(minutes so far)')]).toBe('3775');
    expect(yy[cols.indexOf('覆盖不足(low coverage)')]).toBe('是');
  });
});

describe('a month with nothing measured is a gap (issue 15 item 13)', () => {
  it('gives no P1 count and no change from or to a month without a measured minute', () => {
    // July: nothing measured (all minutes without data); August: measured, one P1.
    const jul = new Map([['520103', measured(0, 0, 44_640)]]);
    const aug = new Map([['520103', measured(40_000, 10, 44_640, 1)]]);
    const augRow = buildComparison(UNITS, aug, jul).find((r) => r.unit === '520103')!;
    expect(augRow.p1Incidents).toBe(1);
    expect(augRow.delta.p1Incidents).toBeNull(); // not "▲1" from a zero that was never measured
    expect(augRow.delta.availabilityPct).toBeNull();
    const julRow = buildComparison(UNITS, jul, new Map()).find((r) => r.unit === '520103')!;
    expect(julRow.p1Incidents).toBeNull();
    expect(julRow.mttrMinutes).toBeNull();
    expect(julRow.coverage).toEqual({ measuredMinutes: 0, elapsedMinutes: 44_640, pct: 0 });
    // And the CSV leaves those cells empty.
    const csv = comparisonCsv([julRow], null);
    const [header, line] = csv.slice(1).split('\r\n');
    const cols = header.split(',');
    const cells = line.split(',');
    expect(cells[cols.indexOf('P1事件(P1 incidents)')]).toBe('');
    expect(cells[cols.indexOf('网络可用率%(availability)')]).toBe('');
  });
});

describe('platform use is city-wide (issue 15 item 14)', () => {
  it('writes it once, on a city row, never on a unit', () => {
    const rows = buildComparison(UNITS, new Map([['520115', facts(99, 0, 30)]]), new Map(), 'exclude');
    const csv = comparisonCsv(rows, { shareApiCalls: 900, shareRecords: 5_000, openApiCalls: 40, openDownloads: 20 });
    const [header, ...lines] = csv.slice(1).split('\r\n');
    const cols = header.split(',');
    const gsh = lines.find((l) => l.startsWith('520115'))!.split(',');
    expect(gsh[cols.indexOf('共享接口调用(share API calls)')]).toBe('');
    const city = lines.find((l) => l.startsWith('city'))!.split(',');
    expect(city[1]).toBe('全市（平台服务全市，不分单位）');
    expect(city[cols.indexOf('共享接口调用(share API calls)')]).toBe('900');
    expect(city[cols.indexOf('开放下载(open downloads)')]).toBe('20');
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

  it('counts the growth inside the first hour from its minimum (a fresh month or a fresh start is not 0)', () => {
    expect(counterIncrease([1_900], 1_000)).toBe(900);
    expect(counterIncrease([1_900, 2_000], 1_000)).toBe(1_000);
  });
});

describe('comparisonCsv', () => {
  it('starts with a BOM, uses CRLF, and quotes what needs it', () => {
    const rows = buildComparison(UNITS, new Map([['520103', facts(99.5, 2, 30)]]), new Map(), 'exclude');
    const csv = comparisonCsv(rows, null);
    expect(csv.startsWith('\uFEFF单位代码(code),')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(13); // header, 10 districts, the city, final empty
    expect(lines.find((l) => l.startsWith('520103'))).toMatch(/^520103,云岩区,区县,99\.500,99\.5,1010,1015,,1000,10,5,2,42\.0,30\.0,3,10,0,2,150000,/);
    expect(lines[1].split(',')).toHaveLength(lines[0].split(',').length);
  });
});
