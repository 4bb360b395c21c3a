import { describe, expect, it } from '@jest/globals';
import { seriesUrl } from './useSeries';

describe('seriesUrl', () => {
  it('asks /api/v1/series for the metric, unit and range in epoch ms', () => {
    expect(seriesUrl({ metric: 'net.latency_ms', district: 'gy-hitech', from: 1000.4, to: 2000.2 })).toBe(
      '/api/v1/series?metric=net.latency_ms&district=gy-hitech&from=1000&to=2001',
    );
    expect(seriesUrl({ metric: 'net.loss_pct', node: 'yy-core-1', from: 0, to: 1, step: '1m' })).toBe(
      '/api/v1/series?metric=net.loss_pct&node=yy-core-1&from=0&to=1&step=1m',
    );
  });
});
