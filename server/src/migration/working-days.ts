import chineseDays from 'chinese-days';

/**
 * Calendar days and working days in Asia/Shanghai (UTC+8, no DST), for the Article 13 clocks.
 *
 * A day is a `YYYY-MM-DD` string. Working days follow the official calendar of the State Council's
 * yearly notice (holidays and make-up working days, 调休) as the npm package `chinese-days`
 * encodes it. For a year the package does not cover yet, only weekends are days off, and
 * `calendarCovers(year)` says so, so that a caller can mark such a count as provisional.
 */

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Shanghai calendar day of an instant (epoch ms). */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** True for a real calendar day written `YYYY-MM-DD` (2026-02-30 is not). */
export function isDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

function dayNumber(day: string): number {
  if (!isDay(day)) throw new RangeError(`not a day: ${day}`);
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS;
}

function fromDayNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return fromDayNumber(dayNumber(day) + n);
}

/** Calendar days from `a` to `b` (b − a; negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/** The last day of a month `YYYY-MM`. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return fromDayNumber(Date.UTC(y, m, 1) / DAY_MS - 1);
}

/** True on a working day of the official calendar (a make-up Saturday is one; a holiday Monday is not). */
export function isWorkingDay(day: string): boolean {
  return chineseDays.isWorkday(day);
}

const coverage = new Map<number, boolean>();

/** Whether the official calendar of `year` (holidays and make-up days) is known to the package. */
export function calendarCovers(year: number): boolean {
  let known = coverage.get(year);
  if (known === undefined) {
    known = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    coverage.set(year, known);
  }
  return known;
}

/**
 * Working days after `from` up to and including `to` — the way a Chinese administrative period
 * "within N working days from the date of acceptance" is counted: the starting day is not counted
 * (Civil Code Art. 201), the first working day after it is day 1. 0 when `to` is not after `from`.
 */
export function workingDaysAfter(from: string, to: string): number {
  let count = 0;
  for (let n = dayNumber(from) + 1, end = dayNumber(to); n <= end; n++) if (isWorkingDay(fromDayNumber(n))) count++;
  return count;
}

/** The `n`-th working day after `from` (n ≥ 1): the last day of a period of n working days. */
export function nthWorkingDayAfter(from: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, not ${n}`);
  let day = from;
  for (let seen = 0; seen < n; ) {
    day = addDays(day, 1);
    if (isWorkingDay(day)) seen++;
  }
  return day;
}
