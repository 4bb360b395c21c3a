import { describe, expect, it } from '@jest/globals';
import { floorMinute, formatLocal, localParts, monthOf, monthRange, parseHhmm, previousMonth, weekdayMinute } from './sla.time.js';

describe('months in Asia/Shanghai', () => {
  it('a month starts at local midnight of its first day (16:00Z the day before)', () => {
    expect(monthRange('2026-11')).toEqual({ start: Date.UTC(2026, 9, 31, 16), end: Date.UTC(2026, 10, 30, 16) });
    expect(monthRange('2026-12').end).toBe(Date.UTC(2026, 11, 31, 16));
    expect(monthRange('2024-02').end - monthRange('2024-02').start).toBe(29 * 86_400_000);
  });
  it.each<[number, string]>([
    [Date.UTC(2026, 9, 31, 15, 59, 59, 999), '2026-10'],
    [Date.UTC(2026, 9, 31, 16, 0), '2026-11'],
    [Date.UTC(2026, 11, 31, 16, 0), '2027-01'],
    [Date.UTC(2026, 11, 31, 15, 59), '2026-12'],
  ])('%i is in %s', (t, m) => {
    expect(monthOf(t)).toBe(m);
  });
  it('rejects a malformed month', () => {
    expect(() => monthRange('2026-13')).toThrow(/YYYY-MM/);
    expect(() => monthRange('26-01')).toThrow(/YYYY-MM/);
  });
  it('previous month across a year', () => {
    expect(previousMonth('2027-01')).toBe('2026-12');
  });
  it('local parts: weekday and minute of day', () => {
    // 2026-11-29T16:30Z is Monday 00:30 in Shanghai.
    expect(localParts(Date.UTC(2026, 10, 29, 16, 30))).toEqual({ date: '2026-11-30', weekday: 1, minuteOfDay: 30, dayStart: Date.UTC(2026, 10, 29, 16) });
    expect(formatLocal(Date.UTC(2026, 10, 29, 16, 30))).toBe('2026-11-30 00:30');
  });
  it('the fast weekday/minute agrees with the calendar over two years of hours', () => {
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000 + 60_000) {
      const p = localParts(t);
      expect(weekdayMinute(t)).toEqual({ weekday: p.weekday, minuteOfDay: p.minuteOfDay });
    }
  });
  it('HH:MM and minutes', () => {
    expect(parseHhmm('08:30')).toBe(510);
    expect(parseHhmm('24:00')).toBe(1440);
    expect(parseHhmm('24:01')).toBeUndefined();
    expect(parseHhmm('8:30')).toBeUndefined();
    expect(floorMinute(125_000)).toBe(120_000);
  });
});
