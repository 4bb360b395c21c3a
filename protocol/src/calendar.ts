/**
 * Months and days as Guiyang counts them: Beijing time (UTC+8, no daylight saving). A month is
 * written `YYYY-MM`; ranges are [from, to) in epoch ms.
 */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(s: unknown): s is string {
  return typeof s === 'string' && MONTH_PATTERN.test(s);
}

/** [from, to) of a month in Beijing time. Throws on a string that is not `YYYY-MM`. */
export function monthRange(month: string): { from: number; to: number } {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new Error(`not a month (YYYY-MM): ${JSON.stringify(month)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { from: Date.UTC(y, mo, 1) - BEIJING_OFFSET_MS, to: Date.UTC(y, mo + 1, 1) - BEIJING_OFFSET_MS };
}

/** The Beijing-time month a moment falls in. */
export function monthOf(ts: number): string {
  const d = new Date(ts + BEIJING_OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function addMonths(month: string, n: number): string {
  const { from } = monthRange(month);
  const d = new Date(from + BEIJING_OFFSET_MS);
  return monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1) - BEIJING_OFFSET_MS);
}

/** The Beijing-time calendar day (`YYYY-MM-DD`) of a moment. */
export function dayOf(ts: number): string {
  return new Date(ts + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}
