import { describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeSeriesStoreContract } from '../time-series.store.contract.js';
import { SqliteTimeSeriesStore, TSDB_SCHEMA_VERSION } from './sqlite.time-series.store.js';

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

describe('SqliteTimeSeriesStore.writeRollups (the simulated past: buckets without points)', () => {
  it('stores hourly buckets under the series of the points and merges an hour that also has points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-rollups-'));
    const store = new SqliteTimeSeriesStore(join(dir, 'tsdb.sqlite'));
    const h = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const tags = { district: '520103', unit: '520103', node: 'past-1' };
    try {
      await store.writeRollups([
        { metric: 'net.latency_ms', tags, step: '1h', buckets: [
          { bucket: h - 3_600_000, min: 1, max: 3, sum: 200, count: 100, lastTs: h - 1, last: 2 },
          { bucket: h, min: 2, max: 2, sum: 20, count: 10, lastTs: h + 1_000, last: 2 },
        ] },
      ]);
      // A point in the second hour (the same series): min, max, sum and count add up; last by time.
      await store.write([{ metric: 'net.latency_ms', ts: h + 60_000, value: 12, tags }]);
      const q = { metric: 'net.latency_ms', match: { node: 'past-1' }, from: h - 3_600_000, to: h + 3_600_000 - 1, step: '1h' as const };
      const [series] = await store.query(q);
      expect(series.tags).toEqual(tags);
      expect(series.points).toEqual([[h - 3_600_000, 2, 1, 3, 100], [h, 32 / 11, 2, 12, 11]]);
      await expect(store.writeRollups([{ metric: 'net.up', tags, step: '1h', buckets: [{ bucket: h + 1, min: 1, max: 1, sum: 1, count: 1, lastTs: h + 1, last: 1 }] }])).rejects.toThrow(/not on the hour/);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteTimeSeriesStore schema version 1: escaped series keys (issue 13 item 10)', () => {
  it('rewrites the keys of a version-0 file, so old series go on under their tags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-v0-'));
    const path = join(dir, 'tsdb.sqlite');
    const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000;
    const base = { district: '520103', unit: '520103', node: 'mig-1' };
    // A holds one backslash, B two: A's new key (`c\\`) is B's old one, a UNIQUE clash if rewritten in place.
    const tagSets = [{ ...base, target: 'a,b=c' }, { ...base, target: 'c\\' }, { ...base, target: 'c\\\\' }, { ...base, target: 'plain' }];
    const store = new SqliteTimeSeriesStore(path);
    await store.write(tagSets.map((tags, i) => ({ metric: 'net.latency_ms', ts: t0, value: i, tags })));
    await store.close();
    // Make it the file an older server wrote: keys without escapes, user_version 0.
    const raw = new Database(path);
    const oldKey = (tags: Record<string, string>) => `net.latency_ms{${Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(',')}}`;
    const rows = raw.prepare('SELECT id, tags FROM series').all() as Array<{ id: number; tags: string }>;
    for (const r of rows) raw.prepare('UPDATE series SET key = ? WHERE id = ?').run(oldKey(JSON.parse(r.tags)), r.id);
    raw.pragma('user_version = 0');
    raw.close();

    const reopened = new SqliteTimeSeriesStore(path);
    try {
      await reopened.write(tagSets.map((tags, i) => ({ metric: 'net.latency_ms', ts: t0 + 1000, value: 10 + i, tags })));
      const series = await reopened.query({ metric: 'net.latency_ms', match: { node: 'mig-1' }, from: t0, to: t0 + 60_000, step: 'raw' });
      expect(series.map((s) => [s.tags.target, s.points]).sort()).toEqual(
        tagSets.map((t, i) => [t.target, [[t0, i], [t0 + 1000, 10 + i]]]).sort(),
      );
    } finally {
      await reopened.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(TSDB_SCHEMA_VERSION);
    expect(check.prepare("SELECT key FROM series WHERE json_extract(tags, '$.target') = 'a,b=c'").pluck().get()).toBe(
      'net.latency_ms{district=520103,node=mig-1,target=a\\,b\\=c,unit=520103}',
    );
    check.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file of a newer schema, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-v9-'));
    const path = join(dir, 'tsdb.sqlite');
    const raw = new Database(path);
    raw.pragma('user_version = 9');
    raw.close();
    expect(() => new SqliteTimeSeriesStore(path)).toThrow(`time-series store ${path} cannot be opened: schema version 9 is newer`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a damaged file: the error names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-bad-'));
    const path = join(dir, 'tsdb.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 'garbage '));
    expect(() => new SqliteTimeSeriesStore(path)).toThrow(`time-series store ${path} cannot be opened: file is not a database`);
    rmSync(dir, { recursive: true, force: true });
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
