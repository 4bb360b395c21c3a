import type { Locale } from '../i18n/messages';

/** Guiyang keeps Beijing time; every clock and axis shows it whatever the browser's zone. */
export const BEIJING_TZ = 'Asia/Shanghai';

const numberFormats = new Map<string, Intl.NumberFormat>();

function nf(locale: Locale, digits: number): Intl.NumberFormat {
  const key = `${locale}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

/** A number in the locale's way (grouping, decimal sign), at most `digits` decimals. */
export function formatNumber(value: number, locale: Locale, digits = 0): string {
  return nf(locale, digits).format(value);
}

/** Milliseconds of latency: one decimal below 10 ms, whole numbers above. */
export function formatMs(value: number, locale: Locale): string {
  return formatNumber(value, locale, Math.abs(value) < 10 ? 1 : 0);
}

/** A percentage already in percent (loss 0.05 → "0.05"); small values keep two decimals. */
export function formatPct(value: number, locale: Locale): string {
  return formatNumber(value, locale, Math.abs(value) < 1 ? 2 : 1);
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

function dtf(key: string, options: Intl.DateTimeFormatOptions, locale: string): Intl.DateTimeFormat {
  let f = clockFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: BEIJING_TZ, ...options });
    clockFormats.set(key, f);
  }
  return f;
}

function parts(f: Intl.DateTimeFormat, ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  // Some ICU versions write midnight as 24 with hourCycle h23 missing; normalise.
  if (out.hour === '24') out.hour = '00';
  return out;
}

/**
 * The header clock in Beijing time, 24-hour, year-month-day order in both languages (dates are
 * written the Chinese way): `2026年11月27日 星期五 10:42:05` / `Fri 2026-11-27 10:42:05`.
 */
export function formatClock(ms: number, locale: Locale): string {
  const p = parts(
    dtf(
      `clock|${locale}`,
      { year: 'numeric', month: 'numeric', day: 'numeric', weekday: locale === 'zh-CN' ? 'long' : 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
      locale === 'zh-CN' ? 'zh-CN' : 'en-GB',
    ),
    ms,
  );
  const time = `${p.hour}:${p.minute}:${p.second}`;
  if (locale === 'zh-CN') return `${p.year}年${p.month}月${p.day}日 ${p.weekday} ${time}`;
  return `${p.weekday} ${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')} ${time}`;
}

/** `10:42:05` in Beijing time (feeds, chart axes and tooltips). */
export function formatTimeOfDay(ms: number): string {
  const p = parts(dtf('hms', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }, 'en-GB'), ms);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** `10:42` in Beijing time (chart axis ticks). */
export function formatHourMinute(ms: number): string {
  const p = parts(dtf('hm', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 'en-GB'), ms);
  return `${p.hour}:${p.minute}`;
}

export type AgeUnit = 'justNow' | 'seconds' | 'minutes' | 'hours';

/** How old something is, in the unit a person reads it in ("3 秒前", "2 分钟前"). */
export function ageOf(ageMs: number): { unit: AgeUnit; n: number } {
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 1) return { unit: 'justNow', n: 0 };
  if (s < 60) return { unit: 'seconds', n: s };
  if (s < 3600) return { unit: 'minutes', n: Math.floor(s / 60) };
  return { unit: 'hours', n: Math.floor(s / 3600) };
}

const BPS_UNITS = ['bps', 'kbps', 'Mbps', 'Gbps', 'Tbps'] as const;

/**
 * Bits per second in the unit network staff write (`850 kbps`, `1.2 Gbps`, decimal prefixes as
 * link speeds are sold): three significant figures at most.
 */
export function formatBps(value: number, locale: Locale): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < BPS_UNITS.length - 1) {
    v /= 1000;
    i += 1;
  }
  const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${formatNumber(Math.sign(value) * v, locale, i === 0 ? 0 : digits)} ${BPS_UNITS[i]}`;
}
