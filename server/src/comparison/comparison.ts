import type { Unit } from '@zhuyun/protocol';
import { csvDocument, type CsvValue } from '../common/csv.writer.js';
import type { UnitAvailability, UnitMigration } from './comparison.ports.js';

/** Platform use attributed to a unit in a month (counter increases of the points tagged with it). */
export interface UnitPlatformUse {
  shareApiCalls: number;
  shareRecords: number;
  openApiCalls: number;
  openDownloads: number;
}

export interface UnitFacts {
  availability: UnitAvailability | null;
  migration: UnitMigration | null;
}

/**
 * Below this share of the minutes so far measured (UP or DOWN), a unit's availability is shown
 * with its coverage but not ranked: 100 % from 10 of 3,775 minutes says nothing about the month.
 */
export const COVERAGE_MIN_PCT = 90;

/** How much of the month so far the availability rests on. */
export interface Coverage {
  /** Minutes scored UP or DOWN. */
  measuredMinutes: number;
  /** Minutes of the month so far, outside maintenance (UP + DOWN + no data). */
  elapsedMinutes: number;
  /** measured / elapsed in % (three decimals); null when no minute has passed yet. */
  pct: number | null;
}

export interface ComparisonRow {
  unit: string;
  kind: 'district' | 'zone';
  name: { zh: string; en: string };
  availability: UnitAvailability | null;
  /** Null when the SLA module is absent. */
  coverage: Coverage | null;
  /** Coverage below COVERAGE_MIN_PCT: shown, marked 覆盖不足, ranked after the others. */
  lowCoverage: boolean;
  /** Null when not measured, or when no minute of the month was measured (a gap, not a zero). */
  p1Incidents: number | null;
  mttrMinutes: number | null;
  migration: UnitMigration | null;
  /** Change from the previous month: rates in percentage points, counts in units; null when either side is unknown. */
  delta: {
    availabilityPct: number | null;
    p1Incidents: number | null;
    mttrMinutes: number | null;
    migrationRatePct: number | null;
    overdue: number | null;
    omAtRisk: number | null;
  };
}

export type ZoneFilter = 'include' | 'exclude' | 'only';

/** The availability of a month in which at least one minute was measured; null otherwise (a gap). */
function measuredAvailability(f: UnitFacts | undefined): UnitAvailability | null {
  const a = f?.availability;
  return a && a.upMinutes + a.downMinutes > 0 ? a : null;
}

export function coverageOf(a: UnitAvailability | null | undefined): Coverage | null {
  if (!a) return null;
  const measuredMinutes = a.upMinutes + a.downMinutes;
  const elapsedMinutes = measuredMinutes + a.noDataMinutes;
  return { measuredMinutes, elapsedMinutes, pct: elapsedMinutes > 0 ? Math.round((measuredMinutes / elapsedMinutes) * 100_000) / 1000 : null };
}

const diff = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined ? null : Math.round((a - b) * 1000) / 1000;

/**
 * One row per unit with the month's figures and the change from the previous month. Pure: the
 * facts are gathered by the service. Counts always travel beside the rates.
 */
export function buildComparison(
  units: readonly Unit[],
  current: ReadonlyMap<string, UnitFacts>,
  previous: ReadonlyMap<string, UnitFacts>,
  zones: ZoneFilter = 'include',
): ComparisonRow[] {
  const chosen = units.filter((u) => (zones === 'include' ? true : zones === 'only' ? u.kind === 'zone' : u.kind === 'district'));
  return chosen.map((u) => {
    const c = current.get(u.code);
    const p = previous.get(u.code);
    // A month without a measured minute has no P1 count and no MTTR: a gap, never a zero.
    const p1 = (f?: UnitFacts) => {
      const a = measuredAvailability(f);
      return a ? (a.incidents.P1 ?? 0) : null;
    };
    const ca = measuredAvailability(c);
    const pa = measuredAvailability(p);
    const coverage = coverageOf(c?.availability);
    return {
      unit: u.code,
      kind: u.kind,
      name: { zh: u.zh, en: u.en },
      availability: c?.availability ?? null,
      coverage,
      lowCoverage: coverage !== null && (coverage.pct ?? 0) < COVERAGE_MIN_PCT,
      p1Incidents: p1(c),
      mttrMinutes: ca?.mttrMinutes ?? null,
      migration: c?.migration ?? null,
      delta: {
        availabilityPct: diff(ca?.availabilityPct, pa?.availabilityPct),
        p1Incidents: diff(p1(c), p1(p)),
        mttrMinutes: diff(ca?.mttrMinutes, pa?.mttrMinutes),
        migrationRatePct: diff(c?.migration?.ratePct, p?.migration?.ratePct),
        overdue: diff(c?.migration?.overdue, p?.migration?.overdue),
        omAtRisk: diff(c?.migration?.omAtRisk, p?.migration?.omAtRisk),
      },
    };
  });
}

/**
 * How much a counter grew, from its hourly buckets' maxima in time order: the sum of the rises,
 * a drop being a restart (the counter began again from zero, so its new maximum counts whole).
 * `firstMin`, the first bucket's minimum, adds the growth inside the first hour (without it the
 * first hour of a month, or of a fresh start, would count nothing).
 */
export function counterIncrease(hourlyMax: readonly number[], firstMin?: number): number {
  let total = firstMin !== undefined && hourlyMax.length && hourlyMax[0] >= firstMin ? hourlyMax[0] - firstMin : 0;
  for (let i = 1; i < hourlyMax.length; i++) {
    const d = hourlyMax[i] - hourlyMax[i - 1];
    total += d >= 0 ? d : hourlyMax[i];
  }
  return total;
}

const CSV_HEADERS = [
  '单位代码(code)', '单位(unit)', '类型(kind)', '网络可用率%(availability)', '覆盖率%(coverage)', '已测分钟(measured min)', '应测分钟(minutes so far)', '覆盖不足(low coverage)', '正常分钟(up min)', '中断分钟(down min)', '无数据分钟(no data min)',
  'P1事件(P1 incidents)', '平均修复分钟(MTTR min)', '迁移率%(migration rate)', '已迁移(migrated)', '应迁移(in scope)', '逾期(overdue)',
  '运维经费风险系统(O&M at risk)', '风险经费元(O&M at risk CNY)', '共享接口调用(share API calls)', '共享交换记录(share records)',
  '开放接口调用(open API calls)', '开放下载(open downloads)', '可用率环比(Δ availability pp)', '迁移率环比(Δ migration pp)',
];

/**
 * The table as CSV, UTF-8 with a BOM so that Excel opens it in Chinese. An unknown figure (not
 * measured, or a month without a measured minute) is an empty cell, never 0. The platforms' use is
 * city-wide (their counters carry no calling unit): it is written once, on a last `city` row.
 */
export function comparisonCsv(rows: readonly ComparisonRow[], platform: UnitPlatformUse | null): string {
  const lines: CsvValue[][] = [CSV_HEADERS];
  for (const r of rows) {
    const a = r.availability;
    const m = r.migration;
    const c = r.coverage;
    lines.push(
      [
        r.unit, r.name.zh, r.kind === 'zone' ? '开发区' : '区县', a?.availabilityPct?.toFixed(3), c?.pct?.toFixed(1), c?.measuredMinutes, c?.elapsedMinutes,
        r.lowCoverage ? '是' : '', a?.upMinutes, a?.downMinutes, a?.noDataMinutes,
        r.p1Incidents, r.mttrMinutes?.toFixed(1), m?.ratePct?.toFixed(1), m?.migrated, m?.denominator, m?.overdue, m?.omAtRisk, m?.omAtRiskCny,
        '', '', '', '', r.delta.availabilityPct, r.delta.migrationRatePct,
      ],
    );
  }
  const blank = (n: number) => Array.from({ length: n }, () => '');
  lines.push([
    'city', '全市（平台服务全市，不分单位）', '全市', ...blank(16),
    platform?.shareApiCalls, platform?.shareRecords, platform?.openApiCalls, platform?.openDownloads, '', '',
  ]);
  return csvDocument(lines);
}
