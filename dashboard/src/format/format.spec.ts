import { describe, expect, it } from '@jest/globals';
import { ageOf, formatBps, formatClock, formatMs, formatNumber, formatPct, formatTimeOfDay } from './format';

describe('format', () => {
  // 2026-11-27 02:42:05 UTC = 10:42:05 in Beijing, a Friday.
  const t = Date.UTC(2026, 10, 27, 2, 42, 5);

  it('writes the clock the Chinese way in Beijing time, 24-hour', () => {
    expect(formatClock(t, 'zh-CN')).toBe('2026年11月27日 星期五 10:42:05');
    expect(formatClock(t, 'en')).toBe('Fri 2026-11-27 10:42:05');
  });

  it('keeps 24-hour time after noon and at midnight', () => {
    expect(formatTimeOfDay(Date.UTC(2026, 10, 27, 8, 5, 9))).toBe('16:05:09');
    expect(formatTimeOfDay(Date.UTC(2026, 10, 27, 16, 0, 0))).toBe('00:00:00');
  });

  it('formats numbers with the locale', () => {
    expect(formatNumber(12345.678, 'zh-CN', 1)).toBe('12,345.7');
    expect(formatNumber(12345.678, 'en', 0)).toBe('12,346');
    expect(formatMs(3.456, 'zh-CN')).toBe('3.5');
    expect(formatMs(42.6, 'en')).toBe('43');
    expect(formatPct(0.054, 'en')).toBe('0.05');
    expect(formatPct(12.34, 'en')).toBe('12.3');
  });

  it('reads ages in the unit a person would', () => {
    expect(ageOf(400)).toEqual({ unit: 'justNow', n: 0 });
    expect(ageOf(3_200)).toEqual({ unit: 'seconds', n: 3 });
    expect(ageOf(125_000)).toEqual({ unit: 'minutes', n: 2 });
    expect(ageOf(2 * 3_600_000 + 5)).toEqual({ unit: 'hours', n: 2 });
    expect(ageOf(-50)).toEqual({ unit: 'justNow', n: 0 });
  });

  it('writes bits per second with decimal prefixes, three figures at most', () => {
    expect(formatBps(0, 'zh-CN')).toBe('0 bps');
    expect(formatBps(850, 'en')).toBe('850 bps');
    expect(formatBps(850_000, 'en')).toBe('850 kbps');
    expect(formatBps(12_345_678, 'zh-CN')).toBe('12.3 Mbps');
    expect(formatBps(1_234_000_000, 'en')).toBe('1.23 Gbps');
  });
});
