/**
 * How busy the government network is at a given moment, 0..1, by Beijing time (UTC+8, no DST).
 * Offices work 9–12 and 14–17 (13:00–14:00 lunch, with a slow restart); nights and weekends are
 * quiet. The Chinese official calendar's make-up working days are ignored here: a simulation only
 * needs the shape.
 */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** [hour of day, load]; linear in between. */
const WORKDAY: ReadonlyArray<readonly [number, number]> = [
  [0, 0.08], [6, 0.07], [7.5, 0.25], [8.5, 0.7], [9, 0.92], [10, 1], [11, 0.93], [12, 0.55],
  [13.5, 0.55], [14, 0.9], [15.5, 1], [17, 0.88], [18.5, 0.4], [21, 0.2], [23, 0.1], [24, 0.08],
];
const REST_DAY: ReadonlyArray<readonly [number, number]> = [
  [0, 0.06], [7, 0.05], [10, 0.16], [12, 0.2], [16, 0.2], [20, 0.12], [24, 0.06],
];

export interface BeijingTime {
  /** Hour of day with fraction, 0 ≤ h < 24. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export function beijingTime(ts: number): BeijingTime {
  const local = ts + BEIJING_OFFSET_MS;
  const day = Math.floor(local / 86_400_000);
  const hour = (local - day * 86_400_000) / 3_600_000;
  // 1970-01-01 was a Thursday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return { hour, weekday };
}

export function isWorkday(weekday: number): boolean {
  return weekday >= 1 && weekday <= 5;
}

/** Load at `ts`, 0..1: 1 at the morning and afternoon peaks of a working day. */
export function loadAt(ts: number): number {
  const { hour, weekday } = beijingTime(ts);
  return interpolate(isWorkday(weekday) ? WORKDAY : REST_DAY, hour);
}

function interpolate(curve: ReadonlyArray<readonly [number, number]>, x: number): number {
  for (let i = 1; i < curve.length; i++) {
    const [x1, y1] = curve[i];
    if (x <= x1) {
      const [x0, y0] = curve[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return curve[curve.length - 1][1];
}
