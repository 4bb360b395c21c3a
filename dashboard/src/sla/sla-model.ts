import type { Locale } from '../i18n/messages';
import { MESSAGES, fill } from '../i18n/messages';
import { formatNumber } from '../format/format';

/**
 * Shapes of the SLA API (docs/SLA.md) and the pure helpers of the SLA view: Beijing months, the
 * burn-down, the calendar grid, durations. Months are `YYYY-MM` in Asia/Shanghai (UTC+8, no DST).
 */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export type ServiceHours = { kind: '24x7' } | { kind: 'weekly'; days: number[]; from: string; to: string };

export interface Contract {
  id: string;
  operator: string;
  name: string;
  services: string[];
  targetPct: number;
  hours: ServiceHours;
  minOutageMinutes: number;
  effectiveFrom: number;
}

export interface PeriodFigures {
  minutes: number;
  up: number;
  down: number;
  maint: number;
  noData: number;
  forgiven: number;
  rawDown: number;
  availabilityPct: number | null;
  noDataPct: number;
  shortOfEvidence: boolean;
}

export interface ErrorBudget {
  totalMinutes: number;
  usedMinutes: number;
  leftMinutes: number;
  leftPct: number | null;
}

export interface Incident {
  id: string;
  service: string;
  start: number;
  end: number;
  durationMinutes: number;
  downMinutes: number;
  open: boolean;
  severity: 'P1' | 'P2' | 'P3';
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  cause: string;
  ttaMs: number | null;
  ttrMs: number | null;
  counted?: boolean;
}

export interface ServiceMonth {
  service: string;
  zh: string;
  en: string;
  figures: PeriodFigures;
  targetPct: number;
  met: boolean | null;
  budget: ErrorBudget;
  incidents: Incident[];
}

export interface ContractMonth {
  contract: Contract;
  month: string;
  /** The counted period, always inside the month (empty when the contract did not cover it). */
  from: number;
  to: number;
  /** `none`: no minute of the month is under the contract (合同未生效); `partial`: it takes effect in the month. */
  effective: 'none' | 'partial' | 'full';
  /** Minutes wait this long after their end before they are scored (the server's grace). */
  graceMinutes: number;
  total: PeriodFigures;
  met: boolean | null;
  services: ServiceMonth[];
  windows: MaintenanceWindow[];
  generatedAt: number;
}

export interface DayFigures {
  date: string;
  start: number;
  /** `notEffective`: before the contract took effect (合同未生效); `future`: nothing of it scored yet. */
  state?: 'notEffective' | 'future' | 'counted';
  figures: PeriodFigures | null;
}

export type WindowSchedule =
  | { kind: 'once'; start: number; end: number }
  | { kind: 'weekly'; weekdays: number[]; startTime: string; durationMinutes: number; from: number; until: number | null };

/** `cancelled`: withdrawn by its requester (or ops) before a decision. */
export type WindowState = 'requested' | 'approved' | 'rejected' | 'cancelled';
/** The state's shape, so it reads without colour. */
export const WINDOW_GLYPH: Record<WindowState, string> = { requested: '…', approved: '✓', rejected: '✗', cancelled: '⊘' };

export interface MaintenanceWindow {
  id: string;
  title: string;
  services: string[];
  districts: string[];
  schedule: WindowSchedule;
  state: WindowState;
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  note: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The Beijing month of an instant: `2026-11`. */
export function beijingMonth(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** The month `delta` months from `month` (`2026-01`, -1 → `2025-12`). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + delta;
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
}

/** `[start, end)` of a Beijing month in epoch ms. */
export function monthRange(month: string): { start: number; end: number } {
  const [y, m] = month.split('-').map(Number);
  return { start: Date.UTC(y, m - 1, 1) - BEIJING_OFFSET_MS, end: Date.UTC(y, m, 1) - BEIJING_OFFSET_MS };
}

/** `2026-11-27 10:42` in Beijing time. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A `datetime-local` field's `YYYY-MM-DDTHH:MM`, read as Beijing time; null when not a time. */
export function parseBeijingLocal(v: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - BEIJING_OFFSET_MS;
}

/** The `datetime-local` value of an instant in Beijing time. */
export function toBeijingLocal(ms: number): string {
  return formatDateTime(ms).replace(' ', 'T');
}

/** A duration as people say it: `45 秒`, `12 分钟`, `1 小时 5 分` / `45 s`, `12 min`, `1 h 5 min`. */
export function formatDuration(ms: number | null, locale: Locale): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  const zh = locale === 'zh-CN';
  if (s < 60) return zh ? `${s} 秒` : `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return zh ? `${min} 分钟` : `${min} min`;
  const h = Math.floor(min / 60);
  const r = min % 60;
  if (h >= 48) {
    // Days and hours past two days (an incident acknowledged a month later).
    const d = Math.floor(h / 24);
    const rh = h % 24;
    if (zh) return rh ? `${d} 天 ${rh} 小时` : `${d} 天`;
    return rh ? `${d} d ${rh} h` : `${d} d`;
  }
  if (zh) return r ? `${h} 小时 ${r} 分` : `${h} 小时`;
  return r ? `${h} h ${r} min` : `${h} h`;
}

/** Availability to three decimals (99.953 %), the way a 99.9 % target is judged; `—` unmeasured. */
export function formatAvailability(pct: number | null, locale: Locale): string {
  if (pct === null) return '—';
  // Never round a shortfall up to the target: 99.8996 shows 99.899, not 99.900.
  const floored = Math.floor(pct * 1000) / 1000;
  return `${formatNumber(floored, locale, 3)}%`;
}

/** The contract's service hours in words. */
export function hoursText(h: ServiceHours, locale: Locale): string {
  const m = MESSAGES[locale].sla;
  if (h.kind === '24x7') return m.hours['24x7'];
  const days = [...h.days].sort((a, b) => a - b).map((d) => m.weekdays[d - 1]).join(locale === 'zh-CN' ? '、' : ', ');
  return fill(m.hours.weekly, { days, from: h.from, to: h.to });
}

export interface BurnPoint {
  /** End of the day (epoch ms). */
  t: number;
  /** Budget minutes left at the end of that day. */
  left: number;
}

/**
 * The error budget over the month: minutes left at the end of each scored day (the cumulative DOWN
 * minutes of `days` taken from the budget), from the budget whole where the contract's count starts
 * (the month's start, or its effective date inside the month; days before it are skipped). Bounded:
 * one point per day, at most 32.
 */
export function burnDown(days: readonly DayFigures[], totalMinutes: number, monthStart: number, effectiveFrom = monthStart): BurnPoint[] {
  const lineStart = Math.max(monthStart, effectiveFrom);
  const out: BurnPoint[] = [{ t: lineStart, left: totalMinutes }];
  let used = 0;
  for (const d of days) {
    if (d.state === 'notEffective') continue;
    if (!d.figures) break;
    used += d.figures.down;
    const from = Math.max(d.start, lineStart);
    out.push({ t: Math.min(d.start + DAY_MS, from + d.figures.minutes * 60_000), left: totalMinutes - used });
  }
  return out;
}

export type DayClass = 'full' | 'met' | 'missed' | 'noData' | 'future' | 'notEffective';

/** How a calendar day reads: all up, met the target, missed it, nothing measured, not yet scored, before the contract. */
export function dayClass(f: PeriodFigures | null, targetPct: number, state?: DayFigures['state']): DayClass {
  if (state === 'notEffective') return 'notEffective';
  if (!f) return 'future';
  if (f.availabilityPct === null) return 'noData';
  if (f.down === 0) return 'full';
  return f.availabilityPct >= targetPct ? 'met' : 'missed';
}

/** The contract's effective date when the month is not under it (合同未生效), else null. */
export function notEffectiveUntil(s: Pick<ContractMonth, 'effective'> & { contract: Pick<Contract, 'effectiveFrom'> }): number | null {
  return s.effective === 'none' ? s.contract.effectiveFrom : null;
}

/**
 * A fresh start (newcomer): the current month is under the contract but nothing is measured yet,
 * because a minute is scored only `graceMinutes` after it ends. Returns when the minute now
 * arriving will be scored (its end plus the grace), or null when figures are there (or cannot come).
 */
export function firstFiguresAt(
  s: Pick<ContractMonth, 'month' | 'effective' | 'graceMinutes'> & { total: Pick<PeriodFigures, 'up' | 'down'>; contract: Pick<Contract, 'effectiveFrom'> },
  now: number,
): number | null {
  if (s.month !== beijingMonth(now) || s.effective === 'none' || s.contract.effectiveFrom > now || s.total.up + s.total.down > 0) return null;
  return Math.floor(now / 60_000) * 60_000 + (1 + s.graceMinutes) * 60_000;
}

/** The shape and colour key of each day class (the calendar shows shape and text, not colour only). */
export const DAY_GLYPH: Record<DayClass, string> = { full: '●', met: '▲', missed: '■', noData: '◇', future: '', notEffective: '–' };

/** The calendar grid: blanks before the 1st so weeks start on Monday, then the month's days. */
export function calendarCells<T extends { start: number }>(days: readonly T[]): Array<T | null> {
  if (!days.length) return [];
  const wd = new Date(days[0].start + BEIJING_OFFSET_MS).getUTCDay(); // 0 Sunday
  const lead = (wd + 6) % 7;
  return [...Array<null>(lead).fill(null), ...days];
}

/** The day of the month of a day's start (Beijing). */
export function dayOfMonth(start: number): number {
  return new Date(start + BEIJING_OFFSET_MS).getUTCDate();
}

/** Windows whose scope touches the contract: one of its services, or the unit of one. */
export function windowTouches(w: Pick<MaintenanceWindow, 'services' | 'districts'>, services: readonly string[]): boolean {
  return w.services.some((s) => services.includes(s)) || w.districts.some((d) => services.includes(`extranet:${d}`));
}

/** The report's URL (CSV download or printable page). */
export function reportUrl(contractId: string, month: string, format: 'csv' | 'html'): string {
  return `/api/v1/sla/contracts/${encodeURIComponent(contractId)}/report?month=${month}&format=${format}`;
}

// ---- maintenance window forms ----

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const hhmmMinutes = (v: string): number | null => {
  const m = HHMM.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};
const hhmmOf = (min: number) => `${pad(Math.floor(min / 60) % 24)}:${pad(min % 60)}`;

/** What the window form holds: a one-off (start, end) or weekly (days, from–to time, from date, until date). */
export interface WindowForm {
  kind: 'once' | 'weekly';
  title: string;
  services: string[];
  districts: string[];
  note: string;
  /** `datetime-local` values (Beijing) of a one-off window. */
  start: string;
  end: string;
  /** Weekly: 1 = Monday … 7 = Sunday; `HH:MM` (Beijing; an end at or before the start runs past midnight). */
  weekdays: number[];
  startTime: string;
  endTime: string;
  /** `YYYY-MM-DD` (Beijing): the first day it applies, and the last (empty: no end). */
  fromDate: string;
  untilDate: string;
}

export type WindowFormField = 'title' | 'services' | 'times' | 'weekdays' | 'dates';

/** Beijing midnight of a `YYYY-MM-DD`, or null. */
export function parseBeijingDate(v: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3]) - BEIJING_OFFSET_MS;
  return formatDateTime(t).slice(0, 10) === v ? t : null;
}

/** The weekly schedule's minutes: an end at or before the start runs past midnight (22:00–02:00 = 240). */
export function weeklyDuration(startTime: string, endTime: string): number | null {
  const a = hhmmMinutes(startTime);
  const b = hhmmMinutes(endTime);
  if (a === null || b === null) return null;
  return b > a ? b - a : b + 1440 - a;
}

/**
 * The API body of a window form, or the field to fix. A weekly window runs from Beijing midnight of
 * `fromDate` until the midnight after `untilDate` (the last day included).
 */
export function windowBody(f: WindowForm): { ok: true; body: Record<string, unknown> } | { ok: false; field: WindowFormField } {
  if (!f.title.trim()) return { ok: false, field: 'title' };
  if (f.services.length + f.districts.length === 0) return { ok: false, field: 'services' };
  let schedule: Record<string, unknown>;
  if (f.kind === 'once') {
    const start = parseBeijingLocal(f.start);
    const end = parseBeijingLocal(f.end);
    if (start === null || end === null || end <= start) return { ok: false, field: 'times' };
    schedule = { kind: 'once', start, end };
  } else {
    if (f.weekdays.length === 0) return { ok: false, field: 'weekdays' };
    const duration = weeklyDuration(f.startTime, f.endTime);
    if (duration === null) return { ok: false, field: 'times' };
    const from = parseBeijingDate(f.fromDate);
    const until = f.untilDate.trim() ? parseBeijingDate(f.untilDate) : null;
    if (from === null || (f.untilDate.trim() && (until === null || until < from))) return { ok: false, field: 'dates' };
    schedule = { kind: 'weekly', weekdays: [...new Set(f.weekdays)].sort((a, b) => a - b), startTime: f.startTime, durationMinutes: duration, from, until: until === null ? null : until + DAY_MS };
  }
  const body: Record<string, unknown> = { title: f.title.trim(), services: f.services, districts: f.districts, schedule };
  if (f.note.trim()) body.note = f.note.trim();
  return { ok: true, body };
}

/** A form holding an existing window (to edit it). */
export function windowForm(w: MaintenanceWindow, now: number): WindowForm {
  const s = w.schedule;
  const base = { title: w.title, services: [...w.services], districts: [...w.districts], note: w.note ?? '' };
  const next = Math.ceil((now + DAY_MS) / 3_600_000) * 3_600_000;
  if (s.kind === 'once') {
    return { ...base, kind: 'once', start: toBeijingLocal(s.start), end: toBeijingLocal(s.end), weekdays: [], startTime: '02:00', endTime: '04:00', fromDate: formatDateTime(now).slice(0, 10), untilDate: '' };
  }
  const start = hhmmMinutes(s.startTime) ?? 0;
  return {
    ...base,
    kind: 'weekly',
    start: toBeijingLocal(next),
    end: toBeijingLocal(next + 2 * 3_600_000),
    weekdays: [...s.weekdays],
    startTime: s.startTime,
    endTime: hhmmOf(start + s.durationMinutes),
    fromDate: formatDateTime(s.from).slice(0, 10),
    untilDate: s.until === null ? '' : formatDateTime(s.until - DAY_MS).slice(0, 10),
  };
}

/** When a window applies, in words: `2026-11-27 02:00 – 2026-11-27 04:00`, `每周二 02:00–04:00（自 2026-11-28 起）`. */
export function windowWhen(s: WindowSchedule, locale: Locale): string {
  if (s.kind === 'once') return `${formatDateTime(s.start)} – ${formatDateTime(s.end)}`;
  const m = MESSAGES[locale].sla;
  const days = [...s.weekdays].sort((a, b) => a - b).map((d) => m.weekdays[d - 1]).join(locale === 'zh-CN' ? '、' : ', ');
  const start = hhmmMinutes(s.startTime) ?? 0;
  const endMin = start + s.durationMinutes;
  const end = hhmmOf(endMin) + (endMin >= 1440 ? m.manage.nextDay : '');
  const span = s.until === null ? fill(m.manage.sinceDate, { from: formatDateTime(s.from).slice(0, 10) }) : fill(m.manage.dateSpan, { from: formatDateTime(s.from).slice(0, 10), until: formatDateTime(s.until - 1).slice(0, 10) });
  return `${fill(m.manage.weeklyRange, { days, from: s.startTime, to: end })}${span}`;
}
