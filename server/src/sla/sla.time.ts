/**
 * Time in the SLA's terms: minutes (epoch ms floored to 60 000), months and days in Asia/Shanghai
 * (UTC+8, no daylight saving time since 1991). Pure.
 */
import { addMonths, monthRange as beijingMonth } from '@zhuyun/protocol';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export function floorMinute(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}

// Months are protocol's Beijing-time calendar (one definition for SLA, comparison and reports).
export { isMonth, monthOf } from '@zhuyun/protocol';

/** `[start, end)` of a month `YYYY-MM` in Asia/Shanghai, epoch ms. Throws on a malformed month. */
export function monthRange(month: string): { start: number; end: number } {
  const { from, to } = beijingMonth(month);
  return { start: from, end: to };
}

/** The month before `YYYY-MM`. */
export function previousMonth(month: string): string {
  return addMonths(month, -1);
}

/** Local (Asia/Shanghai) calendar facts of an instant. `weekday` 1 = Monday … 7 = Sunday. */
export function localParts(t: number): { date: string; weekday: number; minuteOfDay: number; dayStart: number } {
  const local = t + SHANGHAI_OFFSET_MS;
  const d = new Date(local);
  const dayStartLocal = Math.floor(local / DAY_MS) * DAY_MS;
  return {
    date: d.toISOString().slice(0, 10),
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
    minuteOfDay: Math.floor((local - dayStartLocal) / MINUTE_MS),
    dayStart: dayStartLocal - SHANGHAI_OFFSET_MS,
  };
}

/** Weekday (1 = Monday … 7 = Sunday) and minute of the day in Asia/Shanghai, without Date (hot path). */
export function weekdayMinute(t: number): { weekday: number; minuteOfDay: number } {
  const local = t + SHANGHAI_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  // 1970-01-01 was a Thursday (4).
  return { weekday: ((((day + 3) % 7) + 7) % 7) + 1, minuteOfDay: Math.floor((local - day * DAY_MS) / MINUTE_MS) };
}

/** `HH:MM` → minutes after midnight; undefined when malformed. `24:00` is allowed as an end. */
export function parseHhmm(s: string): number | undefined {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v <= 1440 ? v : undefined;
}

/** `2026-11-27 14:05` in Asia/Shanghai, for reports. */
export function formatLocal(t: number): string {
  return new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
