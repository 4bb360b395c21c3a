import { describe, expect, it } from '@jest/globals';
import { addMonths, dayOf, isMonth, monthOf, monthRange } from './calendar.js';

describe('Beijing-time calendar', () => {
  it('gives a month as [from, to) starting at 00:00 Beijing time', () => {
    const r = monthRange('2026-11');
    expect(new Date(r.from).toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(new Date(r.to).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect((r.to - r.from) / 60_000).toBe(30 * 1440);
    expect((monthRange('2028-02').to - monthRange('2028-02').from) / 86_400_000).toBe(29);
  });

  it('puts a moment in the Beijing month, not the UTC one', () => {
    expect(monthOf(Date.parse('2026-11-30T16:00:00Z'))).toBe('2026-12');
    expect(monthOf(Date.parse('2026-11-30T15:59:59.999Z'))).toBe('2026-11');
    expect(dayOf(Date.parse('2026-01-31T16:30:00Z'))).toBe('2026-02-01');
  });

  it('steps months across years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-03', -14)).toBe('2025-01');
  });

  it('refuses what is not YYYY-MM', () => {
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth('2026-1')).toBe(false);
    expect(isMonth('2026-01')).toBe(true);
    expect(() => monthRange('2026/01')).toThrow(/YYYY-MM/);
  });
});
