import { describe, expect, it } from '@jest/globals';
import { seriesUrl, stepFor } from './useSeries';

const H = 3_600_000;
const D = 24 * H;

describe('seriesUrl', () => {
  it('asks /api/v1/series for the metric, unit, range in epoch ms and step', () => {
    expect(seriesUrl({ metric: 'net.latency_ms', district: 'gy-hitech', from: 1000.4, to: 2000.2 })).toBe(
      '/api/v1/series?metric=net.latency_ms&district=gy-hitech&from=1000&to=2001&step=raw',
    );
    expect(seriesUrl({ metric: 'net.loss_pct', node: 'yy-core-1', from: 0, to: 1, step: '1m' })).toBe(
      '/api/v1/series?metric=net.loss_pct&node=yy-core-1&from=0&to=1&step=1m',
    );
  });

  it('reads rollups for long ranges: never raw points for 30 days, whatever step is asked', () => {
    const to = Date.UTC(2026, 10, 27);
    // The charts' own ranges: the overview's 15 minutes raw, the drill-down's hour in minute buckets.
    expect(stepFor({ from: to - 15 * 60_000, to })).toBe('raw');
    expect(stepFor({ from: to - H, to, step: '1m' })).toBe('1m');
    expect(stepFor({ from: to - 6 * H, to })).toBe('raw');
    expect(stepFor({ from: to - 6 * H - 1, to })).toBe('1m');
    expect(stepFor({ from: to - 7 * D, to, step: 'raw' })).toBe('1m');
    expect(stepFor({ from: to - 30 * D, to })).toBe('1h');
    expect(stepFor({ from: to - 30 * D, to, step: 'raw' })).toBe('1h');
    expect(stepFor({ from: to - 30 * D, to, step: '1m' })).toBe('1h');
    expect(new URL(seriesUrl({ metric: 'net.latency_ms', district: '520113', from: to - 30 * D, to, step: 'raw' }), 'http://x').searchParams.get('step')).toBe('1h');
    // A coarser step than needed is kept (a day of hourly buckets is fine).
    expect(stepFor({ from: to - D, to, step: '1h' })).toBe('1h');
  });
});
