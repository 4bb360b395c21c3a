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
  platform: UnitPlatformUse | null;
}

export interface ComparisonRow {
  unit: string;
  kind: 'district' | 'zone';
  name: { zh: string; en: string };
  availability: UnitAvailability | null;
  p1Incidents: number | null;
  mttrMinutes: number | null;
  migration: UnitMigration | null;
  platform: UnitPlatformUse | null;
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
    const p1 = (f?: UnitFacts) => (f?.availability ? (f.availability.incidents.P1 ?? 0) : null);
    return {
      unit: u.code,
      kind: u.kind,
      name: { zh: u.zh, en: u.en },
      availability: c?.availability ?? null,
      p1Incidents: p1(c),
      mttrMinutes: c?.availability?.mttrMinutes ?? null,
      migration: c?.migration ?? null,
      platform: c?.platform ?? null,
      delta: {
        availabilityPct: diff(c?.availability?.availabilityPct, p?.availability?.availabilityPct),
        p1Incidents: diff(p1(c), p1(p)),
        mttrMinutes: diff(c?.availability?.mttrMinutes, p?.availability?.mttrMinutes),
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
 */
export function counterIncrease(hourlyMax: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < hourlyMax.length; i++) {
    const d = hourlyMax[i] - hourlyMax[i - 1];
    total += d >= 0 ? d : hourlyMax[i];
  }
  return total;
}

const CSV_HEADERS = [
  '单位代码(code)', '单位(unit)', '类型(kind)', '网络可用率%(availability)', '正常分钟(up min)', '中断分钟(down min)', '无数据分钟(no data min)',
  'P1事件(P1 incidents)', '平均修复分钟(MTTR min)', '迁移率%(migration rate)', '已迁移(migrated)', '应迁移(in scope)', '逾期(overdue)',
  '运维经费风险系统(O&M at risk)', '风险经费元(O&M at risk CNY)', '共享接口调用(share API calls)', '共享交换记录(share records)',
  '开放接口调用(open API calls)', '开放下载(open downloads)', '可用率环比(Δ availability pp)', '迁移率环比(Δ migration pp)',
];

/** The table as CSV, UTF-8 with a BOM so that Excel opens it in Chinese. */
export function comparisonCsv(rows: readonly ComparisonRow[]): string {
  const lines: CsvValue[][] = [CSV_HEADERS];
  for (const r of rows) {
    const a = r.availability;
    const m = r.migration;
    const pl = r.platform;
    lines.push(
      [
        r.unit, r.name.zh, r.kind === 'zone' ? '开发区' : '区县', a?.availabilityPct?.toFixed(3), a?.upMinutes, a?.downMinutes, a?.noDataMinutes,
        r.p1Incidents, r.mttrMinutes?.toFixed(1), m?.ratePct?.toFixed(1), m?.migrated, m?.denominator, m?.overdue, m?.omAtRisk, m?.omAtRiskCny,
        pl?.shareApiCalls, pl?.shareRecords, pl?.openApiCalls, pl?.openDownloads, r.delta.availabilityPct, r.delta.migrationRatePct,
      ],
    );
  }
  return csvDocument(lines);
}
