import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeSeriesStoreContract } from '../time-series.store.contract.js';
import { SqliteTimeSeriesStore } from './sqlite.time-series.store.js';

timeSeriesStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-'));
  return {
    store: new SqliteTimeSeriesStore(join(dir, 'tsdb.sqlite')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteTimeSeriesStore after a crash', () => {
  it('recounts the rollups that were not merged yet from the raw points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-crash-'));
    const path = join(dir, 'tsdb.sqlite');
    const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000;
    const tags = { district: '520103', unit: '520103', node: 'crash-1' };
    const crashed = new SqliteTimeSeriesStore(path);
    await crashed.write([1, 2, 3, 4].map((v, i) => ({ metric: 'net.latency_ms', ts: t0 + i * 20_000, value: v, tags })));
    // As after kill -9: the aggregates in memory are gone; the process never merges them.
    (crashed as unknown as { db: { close(): void } }).db.close();
    const restarted = new SqliteTimeSeriesStore(path);
    try {
      const q = { metric: 'net.latency_ms', match: { node: 'crash-1' }, from: t0, to: t0 + 3_600_000 - 1 };
      expect((await restarted.query({ ...q, step: '1m' }))[0].points).toEqual([[t0, 2, 1, 3, 3], [t0 + 60_000, 4, 4, 4, 1]]);
      expect((await restarted.query({ ...q, step: '1h' }))[0].points).toEqual([[t0, 2.5, 1, 4, 4]]);
    } finally {
      await restarted.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteTimeSeriesStore series limit', () => {
  it('keeps the series first seen: new names never push known ones out, and dead series take no room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-limit-'));
    const store = new SqliteTimeSeriesStore(join(dir, 'tsdb.sqlite'));
    try {
      const t0 = Date.now() - 600_000;
      const at = (node: string, ts: number) => ({ metric: 'net.latency_ms', ts, value: 5, tags: { district: '520103', unit: '520103', node } });
      // Long dead before the range, then the honest ones, then a flood whose names sort first.
      await store.write(Array.from({ length: 20 }, (_, i) => at(`dead-${i}`, t0 - 86_400_000)));
      await store.write(['zz-core-1', 'zz-core-2'].map((n) => at(n, t0)));
      await store.write(Array.from({ length: 40 }, (_, i) => at(`aa-fake-${String(i).padStart(3, '0')}`, t0)));
      const got = await store.query({ metric: 'net.latency_ms', match: { unit: '520103' }, from: t0 - 60_000, to: t0 + 60_000, step: 'raw', maxSeries: 10 });
      expect(got).toHaveLength(10);
      expect(got.slice(0, 2).map((s) => s.tags.node)).toEqual(['zz-core-1', 'zz-core-2']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
