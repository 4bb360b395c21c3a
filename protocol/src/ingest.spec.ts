import { describe, expect, it } from '@jest/globals';
import { IngestBatchSchema, MAX_FUTURE_MS, parseSeriesKey, seriesKey, validatePoint } from './ingest.js';

const now = Date.UTC(2026, 10, 27, 8, 0, 0);
const good = { metric: 'net.latency_ms', ts: now - 1000, value: 12.3, tags: { district: '520103', node: 'yy-core-1' } };

describe('validatePoint', () => {
  it('accepts a good point and fills unit from district', () => {
    const r = validatePoint(good, now);
    expect(r).toEqual({ ok: true, point: { ...good, tags: { district: '520103', unit: '520103', node: 'yy-core-1' } } });
  });

  it('reads a zone given as district, and its host district', () => {
    const r = validatePoint({ ...good, tags: { district: 'gy-hitech', node: 'ht-core-1' } }, now);
    expect(r.ok && r.point.tags).toEqual({ district: '520113', unit: 'gy-hitech', node: 'ht-core-1' });
  });

  it('reads the retired Xiaohe code as Huaxi', () => {
    const r = validatePoint({ ...good, tags: { district: '520114', node: 'x' } }, now);
    expect(r.ok && r.point.tags.district).toBe('520111');
  });

  it.each([
    [{ ...good, metric: 'Latency' }, /metric "Latency" is not a metric name/],
    [{ ...good, metric: 'net.' }, /not a metric name/],
    [{ ...good, value: Number.NaN }, /finite number, got NaN/],
    [{ ...good, value: Infinity }, /finite number, got Infinity/],
    [{ ...good, value: '12' }, /finite number, got string/],
    [{ ...good, value: true }, /not a boolean/],
    [{ ...good, value: null }, /got null/],
    [{ ...good, ts: now + MAX_FUTURE_MS + 1 }, /in the future/],
    [{ ...good, ts: 1.5 }, /integer of epoch milliseconds/],
    // Found by test/fuzz: past Date's range toISOString threw, and the ingest answered 500.
    [{ ...good, ts: 1e308 }, /ts 1e\+308 is in the future/],
    [{ ...good, ts: 8.64e15 + 1 }, /ts 8640000000000001 is in the future/],
    [{ ...good, ts: Number.MAX_SAFE_INTEGER * 4 }, /is in the future/],
    [{ ...good, ts: now - 15 * 86_400_000 }, /older than the 14-day/],
    [{ ...good, tags: { node: 'a' } }, /tags.district is missing/],
    [{ ...good, tags: { district: '520103' } }, /tags.node is missing/],
    [{ ...good, tags: { district: '110101', node: 'a' } }, /unknown district "110101"/],
    [{ ...good, tags: { district: '520103', node: 'a', unit: '520102' } }, /unknown district\/unit pair/],
    [{ ...good, tags: { district: '520103', node: 'a', Bad: 'x' } }, /tag key "Bad"/],
    [{ ...good, tags: { district: '520103', node: 'a', x: 1 } }, /tag x must be a non-empty string/],
    [{ ...good, tags: [] }, /tags must be an object/],
    // Found by test/fuzz: accepted, but the tag was silently dropped (an assignment to __proto__).
    [{ ...good, tags: JSON.parse('{"district":"520103","node":"a","__proto__":"x"}') }, /tag key "__proto__" is reserved/],
    ['nope', /point must be an object/],
    [null, /point must be an object/],
  ])('rejects %j with a reason', (raw, reason) => {
    const r = validatePoint(raw, now);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(reason);
  });

  it('accepts a zone unit tag on a district point', () => {
    const r = validatePoint({ ...good, tags: { district: '520113', unit: 'gy-bonded', node: 'bd-1' } }, now);
    expect(r.ok && r.point.tags.unit).toBe('gy-bonded');
  });
});

describe('IngestBatchSchema', () => {
  it('takes a batch and leaves points to per-point checks', () => {
    const r = IngestBatchSchema.safeParse({ collector: 'yunyan-edge-01', batch: 'yunyan-edge-01:42', points: [1, 'x'] });
    expect(r.success).toBe(true);
  });
  it('names what is wrong in an envelope', () => {
    const r = IngestBatchSchema.safeParse({ collector: 'a b', points: {} });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['collector', 'batch', 'points']));
  });
});

describe('seriesKey', () => {
  it('does not depend on tag order', () => {
    expect(seriesKey('m.x', { b: '1', a: '2' })).toBe(seriesKey('m.x', { a: '2', b: '1' }));
    expect(seriesKey('m.x', { a: '2', b: '1' })).toBe('m.x{a=2,b=1}');
  });

  it('keeps tag values holding , = or \\ apart (issue 13 item 10)', () => {
    const two = seriesKey('m.x', { target: 'x', u2: 'y' });
    const one = seriesKey('m.x', { target: 'x,u2=y' });
    expect(one).not.toBe(two);
    expect(one).toBe('m.x{target=x\\,u2\\=y}');
    expect(seriesKey('m.x', { a: 'x\\', b: 'y' })).not.toBe(seriesKey('m.x', { a: 'x\\,b=y' }));
  });

  it('reads back what it wrote', () => {
    const cases: Array<Record<string, string>> = [
      {},
      { a: '1' },
      { target: 'x,u2=y', node: 'n1' },
      { path: 'C:\\data\\', desc: 'eth0 = uplink, 10G', z: '}{' },
      { a: '\\,', b: '=', c: ',' },
    ];
    for (const tags of cases) expect(parseSeriesKey(seriesKey('m.x', tags))).toEqual({ metric: 'm.x', tags });
    expect(parseSeriesKey('m.x')).toBeUndefined();
    expect(parseSeriesKey('m.x{a=b=c}')).toBeUndefined();
    expect(parseSeriesKey('m.x{a=b\\}')).toBeUndefined();
    expect(parseSeriesKey('m.x{A=1}')).toBeUndefined();
  });
});
