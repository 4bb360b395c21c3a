import { describe, expect, it } from '@jest/globals';
import { addDays, calendarCovers, daysBetween, isDay, isWorkingDay, monthEnd, nthWorkingDayAfter, shanghaiDay, workingDaysAfter } from './working-days.js';

describe('Shanghai days', () => {
  it.each([
    ['UTC 15:59:59 is still the same Shanghai day', Date.UTC(2026, 1, 12, 15, 59, 59), '2026-02-12'],
    ['UTC 16:00 is the next Shanghai day', Date.UTC(2026, 1, 12, 16, 0, 0), '2026-02-13'],
    ['New Year in Shanghai comes 8 h before UTC', Date.UTC(2025, 11, 31, 16, 30), '2026-01-01'],
  ])('%s', (_what, ms, day) => {
    expect(shanghaiDay(ms)).toBe(day);
  });

  it('reads only real days and counts across months and leap years', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-2-3')).toBe(false);
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(monthEnd('2026-02')).toBe('2026-02-28');
    expect(monthEnd('2028-02')).toBe('2028-02-29');
    expect(monthEnd('2026-12')).toBe('2026-12-31');
  });
});

describe('the official calendar (chinese-days)', () => {
  // State Council notices for 2025 (国办发明电〔2024〕12号) and 2026 (published November 2025).
  it.each([
    ['2025-01-26', true, 'Sunday, make-up working day before the 2025 Spring Festival'],
    ['2025-01-28', false, 'Spring Festival 2025 (Jan 28 – Feb 4)'],
    ['2025-02-04', false, 'last day of Spring Festival 2025'],
    ['2025-02-08', true, 'Saturday, make-up working day after Spring Festival 2025'],
    ['2025-09-28', true, 'Sunday, make-up working day before National Day 2025'],
    ['2025-10-08', false, 'National Day and Mid-Autumn 2025 (Oct 1 – 8)'],
    ['2025-10-11', true, 'Saturday, make-up working day after National Day 2025'],
    ['2026-02-13', true, 'Friday before the 2026 Spring Festival'],
    ['2026-02-14', true, 'Saturday, make-up working day before Spring Festival 2026'],
    ['2026-02-16', false, 'Monday in Spring Festival 2026 (Feb 15 – 23)'],
    ['2026-02-23', false, 'last day of Spring Festival 2026'],
    ['2026-02-28', true, 'Saturday, make-up working day after Spring Festival 2026'],
    ['2026-09-20', true, 'Sunday, make-up working day before National Day 2026'],
    ['2026-10-05', false, 'National Day 2026 (Oct 1 – 7)'],
    ['2026-10-10', true, 'Saturday, make-up working day after National Day 2026'],
    ['2026-10-11', false, 'an ordinary Sunday'],
  ])('%s is a working day: %s (%s)', (day, working) => {
    expect(isWorkingDay(day)).toBe(working);
  });

  it('covers 2025 and 2026', () => {
    expect(calendarCovers(2025)).toBe(true);
    expect(calendarCovers(2026)).toBe(true);
    expect(calendarCovers(2090)).toBe(false);
  });
});

describe('working days after a day (the acceptance day not counted)', () => {
  it.each([
    // accepted on the Friday before the 2026 Spring Festival: Sat 14 (make-up) is day 1, then the holiday, Tue 24 – Fri 27
    ['2026-02-13', 5, '2026-02-27'],
    // accepted on the make-up Saturday itself
    ['2026-02-14', 1, '2026-02-24'],
    // accepted the day before National Day 2026: Oct 8, 9, 10 (make-up Saturday), 12, 13
    ['2026-09-30', 5, '2026-10-13'],
    // accepted on the make-up Sunday before National Day 2026; Fri Sep 25 is Mid-Autumn (中秋) 2026
    ['2026-09-20', 5, '2026-09-28'],
    // Spring Festival 2025: accepted Fri Jan 24; Sun 26 (make-up), Mon 27, then Feb 5, 6, 7
    ['2025-01-24', 5, '2025-02-07'],
    // National Day 2025: accepted Sep 26 (Fri); Sep 28 (make-up Sunday), 29, 30, Oct 9, 10
    ['2025-09-26', 5, '2025-10-10'],
    // an ordinary week
    ['2026-11-02', 5, '2026-11-09'],
  ])('from %s the %i-th working day is %s', (from, n, day) => {
    expect(nthWorkingDayAfter(from, n)).toBe(day);
    expect(workingDaysAfter(from, day)).toBe(n);
    expect(workingDaysAfter(from, addDays(day, -1))).toBe(n - 1);
  });

  it('counts nothing when the end is not after the start', () => {
    expect(workingDaysAfter('2026-03-02', '2026-03-02')).toBe(0);
    expect(workingDaysAfter('2026-03-02', '2026-03-01')).toBe(0);
    expect(() => nthWorkingDayAfter('2026-03-02', 0)).toThrow(RangeError);
  });
});
