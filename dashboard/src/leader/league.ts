import { DISTRICTS, UNITS, addMonths } from '@zhuyun/protocol';
import { formatNumber } from '../format/format';
import type { Locale } from '../i18n/messages';

/**
 * The leadership view's pure core: the comparison's wire shape (GET /api/v1/comparison, see
 * server/src/comparison/comparison.ts), the KPIs a table can be sorted by, month-over-month arrows,
 * city totals for the trend chart, and the way money and rates are written for Guiyang officials.
 */

export interface UnitAvailability {
  availabilityPct: number | null;
  upMinutes: number;
  downMinutes: number;
  noDataMinutes: number;
  incidents: Record<string, number>;
  mttrMinutes: number | null;
}
export interface UnitMigration {
  migrated: number;
  denominator: number;
  ratePct: number | null;
  overdue: number;
  omAtRisk: number;
  omAtRiskCny: number;
}
export interface UnitPlatformUse {
  shareApiCalls: number;
  shareRecords: number;
  openApiCalls: number;
  openDownloads: number;
}
/** How much of the month so far the availability rests on (minutes scored UP or DOWN). */
export interface Coverage {
  measuredMinutes: number;
  elapsedMinutes: number;
  pct: number | null;
}
export interface ComparisonRow {
  unit: string;
  kind: 'district' | 'zone';
  name: { zh: string; en: string };
  availability: UnitAvailability | null;
  coverage: Coverage | null;
  /** Coverage below the response's coverageMinPct: shown marked 覆盖不足, ranked after the others. */
  lowCoverage: boolean;
  /** Null when not measured or nothing of the month was measured (a gap, never a zero). */
  p1Incidents: number | null;
  mttrMinutes: number | null;
  migration: UnitMigration | null;
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
export interface ComparisonResponse {
  month: string;
  previousMonth: string;
  zones: ZoneFilter;
  sources: { sla: boolean; migration: boolean; platform: boolean };
  coverageMinPct: number;
  rows: ComparisonRow[];
  /** The platforms' use in the month, city-wide (their counters carry no calling unit). */
  platform: UnitPlatformUse | null;
}

/** The columns a leader sorts by. `better`: which way is good (arrows are coloured by it). */
export const KPIS = {
  unit: { better: null },
  availabilityPct: { better: 'higher' },
  p1Incidents: { better: 'lower' },
  mttrMinutes: { better: 'lower' },
  migrationRatePct: { better: 'higher' },
  overdue: { better: 'lower' },
  omAtRisk: { better: 'lower' },
  omAtRiskCny: { better: 'lower' },
} as const satisfies Record<string, { better: 'higher' | 'lower' | null }>;
export type KpiKey = keyof typeof KPIS;
export const KPI_KEYS = Object.keys(KPIS) as KpiKey[];
export type SortDir = 'asc' | 'desc';

/** A row's value for a KPI; null when not measured (sorted last whichever the direction). */
export function kpiValue(row: ComparisonRow, key: KpiKey): number | null {
  switch (key) {
    case 'unit':
      return UNIT_ORDER.get(row.unit) ?? Number.MAX_SAFE_INTEGER;
    case 'availabilityPct':
      return row.availability?.availabilityPct ?? null;
    case 'p1Incidents':
      return row.p1Incidents;
    case 'mttrMinutes':
      return row.mttrMinutes;
    case 'migrationRatePct':
      return row.migration?.ratePct ?? null;
    case 'overdue':
      return row.migration?.overdue ?? null;
    case 'omAtRisk':
      return row.migration?.omAtRisk ?? null;
    case 'omAtRiskCny':
      return row.migration?.omAtRiskCny ?? null;
  }
}

/** The KPIs that come from the network's minutes (their ranking needs coverage). */
const SLA_KPIS: ReadonlySet<KpiKey> = new Set(['availabilityPct', 'p1Incidents', 'mttrMinutes']);

/**
 * Whether a row takes a place in the ranking by a KPI: not when the KPI comes from the network's
 * minutes and too few of them were measured (100 % from 10 of 3,775 minutes ranks nobody first).
 */
export function isRanked(row: ComparisonRow, key: KpiKey): boolean {
  return !(SLA_KPIS.has(key) && row.lowCoverage);
}

const UNIT_ORDER = new Map(UNITS.map((u, i) => [u.code, i]));

/** The direction a first click sorts in: best first (a league table reads top down). */
export function defaultDir(key: KpiKey): SortDir {
  return KPIS[key].better === 'higher' ? 'desc' : 'asc';
}

/**
 * The rows sorted by a KPI. Unmeasured values go last in either direction, and before them, in
 * either direction, the rows not ranked for want of coverage (isRanked); ties keep the official
 * order of the units (districts by code, then the zones), so the order is stable and predictable.
 * Returns a new array.
 */
export function sortRows(rows: readonly ComparisonRow[], key: KpiKey, dir: SortDir): ComparisonRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = kpiValue(a, key);
    const vb = kpiValue(b, key);
    // Ranked values first, then the values not ranked (thin coverage), then the unmeasured.
    const group = (r: ComparisonRow, v: number | null) => (v === null ? 2 : isRanked(r, key) ? 0 : 1);
    if (group(a, va) !== group(b, vb)) return group(a, va) - group(b, vb);
    if (va !== null && vb !== null && va !== vb) return (va - vb) * sign;
    return (UNIT_ORDER.get(a.unit) ?? 99) - (UNIT_ORDER.get(b.unit) ?? 99);
  });
}

export type Trend = { arrow: '▲' | '▼' | '＝'; tone: 'good' | 'bad' | 'flat'; text: string } | null;

/**
 * A month-over-month change as an arrow, its sign-free size and whether it is good news.
 * `unit` 'pp' writes percentage points with one decimal, 'count' whole numbers.
 */
export function trendOf(delta: number | null, better: 'higher' | 'lower', unit: 'pp' | 'count' | 'min', locale: Locale): Trend {
  if (delta === null) return null;
  if (Math.abs(delta) < (unit === 'pp' ? 0.05 : 0.5)) return { arrow: '＝', tone: 'flat', text: '' };
  const up = delta > 0;
  const good = better === 'higher' ? up : !up;
  const size = Math.abs(delta);
  const text = unit === 'pp' ? formatNumber(size, locale, 1) : formatNumber(size, locale, 0);
  return { arrow: up ? '▲' : '▼', tone: good ? 'good' : 'bad', text };
}

/**
 * Money as an official reads it: in Chinese, 万元 from ten thousand up (one decimal, grouped:
 * `1,326.7 万元`), whole 元 below; in English, CNY with M from a million up.
 */
export function formatCny(yuan: number, locale: Locale): string {
  // Fixed decimals, so that amounts line up in a column (5.30, not 5.3).
  const fixed = (v: number, d: number) => new Intl.NumberFormat(locale, { minimumFractionDigits: d, maximumFractionDigits: d }).format(v);
  if (locale === 'zh-CN') {
    if (Math.abs(yuan) >= 10_000) return `${fixed(yuan / 10_000, 1)} 万元`;
    return `${formatNumber(yuan, locale, 0)} 元`;
  }
  if (Math.abs(yuan) >= 1_000_000) return `CNY ${fixed(yuan / 1_000_000, 2)} M`;
  return `CNY ${formatNumber(yuan, locale, 0)}`;
}

/** A rate in percent with one decimal (`14.3%`); 100 and 0 without decimals. */
export function formatRate(pct: number | null, locale: Locale, digits = 1): string {
  if (pct === null) return '—';
  return `${formatNumber(pct, locale, pct === 100 || pct === 0 ? 0 : digits)}%`;
}

/** Coverage in % without false precision: one decimal below 10 % (`0.3%`, `<0.1%`), whole above (`98%`), 100 only when complete. */
export function formatCoverage(pct: number | null, locale: Locale): string {
  if (pct === null) return '—';
  if (pct >= 100) return '100%';
  // Some minutes measured, fewer than a thousandth: not written as 0 %.
  if (pct > 0 && pct < 0.1) return `<${formatNumber(0.1, locale, 1)}%`;
  return `${formatNumber(pct < 10 ? Math.floor(pct * 10) / 10 : Math.min(99, Math.floor(pct)), locale, pct < 10 ? 1 : 0)}%`;
}

/** Availability needs three decimals to tell 99.9 from 99.95. */
export function formatAvailability(pct: number | null, locale: Locale): string {
  if (pct === null) return '—';
  return `${formatNumber(pct, locale, pct >= 99 ? 3 : 2)}%`;
}


export interface CityTotals {
  month: string;
  /** Σ migrated / Σ denominator over the rows, %; null when nothing is in scope. */
  migrationRatePct: number | null;
  migrated: number;
  denominator: number;
  /** Σ up / Σ (up + down) minutes, %; null when no minute was scored. */
  availabilityPct: number | null;
  /** Σ measured / Σ minutes so far, %; null when the SLA is not measured. */
  coveragePct: number | null;
  /** Null when no unit had a measured minute (a gap in the trend, never a zero). */
  p1Incidents: number | null;
  overdue: number;
  omAtRisk: number;
  omAtRiskCny: number;
}

/**
 * The city as one unit: counts summed and rates recomputed from the sums (never an average of
 * rates, which would weigh a district of 3 systems like one of 30).
 */
export function cityTotals(month: string, rows: readonly ComparisonRow[]): CityTotals {
  let migrated = 0, denominator = 0, up = 0, down = 0, p1 = 0, overdue = 0, omAtRisk = 0, omAtRiskCny = 0;
  let measured = 0, elapsed = 0, p1Known = false, covered = false;
  for (const r of rows) {
    if (r.migration) {
      migrated += r.migration.migrated;
      denominator += r.migration.denominator;
      overdue += r.migration.overdue;
      omAtRisk += r.migration.omAtRisk;
      omAtRiskCny += r.migration.omAtRiskCny;
    }
    if (r.availability) {
      up += r.availability.upMinutes;
      down += r.availability.downMinutes;
    }
    if (r.coverage) {
      covered = true;
      measured += r.coverage.measuredMinutes;
      elapsed += r.coverage.elapsedMinutes;
    }
    if (r.p1Incidents !== null) {
      p1Known = true;
      p1 += r.p1Incidents;
    }
  }
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    month,
    migrated,
    denominator,
    migrationRatePct: denominator > 0 ? round((migrated / denominator) * 100) : null,
    availabilityPct: up + down > 0 ? Math.round((up / (up + down)) * 100_000) / 1000 : null,
    coveragePct: !covered ? null : elapsed > 0 ? Math.round((measured / elapsed) * 100_000) / 1000 : 0,
    p1Incidents: p1Known ? p1 : null,
    overdue,
    omAtRisk,
    omAtRiskCny,
  };
}

/** The `n` months ending with `month`, oldest first (`2026-06` … `2026-11`). */
export function lastMonths(month: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addMonths(month, i - n + 1));
}

/** Districts (not zones) in official order: the map has regions only for them. */
export const DISTRICT_CODES: readonly string[] = DISTRICTS.map((d) => d.code);

/** The month picker's choices: the current month and the eleven before it, newest first. */
export function monthChoices(current: string, n = 12): string[] {
  return lastMonths(current, n).reverse();
}

const MONTH_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11` → `11月` / `Nov` (axis ticks after the first). */
export function formatMonthShort(month: string, locale: Locale): string {
  const m = Number(month.slice(5, 7));
  return locale === 'zh-CN' ? `${m}月` : MONTH_EN[m - 1];
}

/** `2026-11` → `2026年11月` / `Nov 2026`. */
export function formatMonth(month: string, locale: Locale): string {
  const [y, m] = month.split('-').map(Number);
  if (locale === 'zh-CN') return `${y}年${m}月`;
  return `${MONTH_EN[m - 1]} ${y}`;
}

/** A phone-sized screen (the views' `max-width: 760px` layout), read when an option is built. */
export function phone(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 760px)').matches;
}
