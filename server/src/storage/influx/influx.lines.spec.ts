import { describe, expect, it } from '@jest/globals';
import type { Point } from '@zhuyun/protocol';
import { mergeChunks } from './influx.http.js';
import {
  escapeMeasurement,
  escapeTag,
  influxDuration,
  parseGoDuration,
  pointLine,
  quoteIdent,
  quoteString,
  unrepresentable,
} from './influx.lines.js';

type Over = { metric?: string; ts?: number; value?: number; tags?: Record<string, string> };
const pt = (over: Over = {}): Point =>
  ({ metric: 'net.latency_ms', ts: 1_764_201_600_000, value: 12.3, ...over, tags: { district: '520103', unit: '520103', node: 'yy-core-1', ...over.tags } }) as Point;

describe('line protocol', () => {
  it('writes measurement, tags in key order, a float value and ms time', () => {
    expect(pointLine(pt({ tags: { target: 'city-core' } }))).toBe(
      'net.latency_ms,district=520103,node=yy-core-1,target=city-core,unit=520103 value=12.3 1764201600000',
    );
  });

  it('keeps every value a float: integers without the i suffix, exponents as JS prints them', () => {
    expect(pointLine(pt({ value: 5 }))).toMatch(/ value=5 /);
    expect(pointLine(pt({ value: -0 }))).toMatch(/ value=0 /);
    expect(pointLine(pt({ value: 1e21 }))).toMatch(/ value=1e\+21 /);
    expect(pointLine(pt({ value: 1.5e-7 }))).toMatch(/ value=1\.5e-7 /);
  });

  it('escapes commas, spaces and equals signs in tags, commas and spaces in the measurement', () => {
    expect(escapeTag('a b,c=d')).toBe('a\\ b\\,c\\=d');
    expect(escapeMeasurement('m a,b=c')).toBe('m\\ a\\,b=c');
    expect(pointLine(pt({ tags: { target: 'gov cloud,a=b' } }))).toContain(',target=gov\\ cloud\\,a\\=b,');
    // A backslash before an ordinary character reads back as itself.
    expect(unrepresentable(pt({ tags: { target: 'C:\\path' } }))).toBeUndefined();
  });

  it('says which points line protocol cannot carry', () => {
    expect(unrepresentable(pt())).toBeUndefined();
    expect(unrepresentable(pt({ tags: { target: 'a\nb' } }))).toMatch(/target/);
    expect(unrepresentable(pt({ tags: { target: 'ends\\' } }))).toMatch(/target/);
    expect(unrepresentable(pt({ tags: { target: 'x\\ y' } }))).toMatch(/target/);
    expect(unrepresentable(pt({ value: Number.NaN }))).toMatch(/finite/);
    expect(unrepresentable(pt({ value: Number.POSITIVE_INFINITY }))).toMatch(/finite/);
  });
});

describe('InfluxQL quoting and durations', () => {
  it('quotes identifiers and string literals', () => {
    expect(quoteIdent('net.latency_ms')).toBe('"net.latency_ms"');
    expect(quoteIdent('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
  });

  it('prints durations as InfluxDB prints them back', () => {
    expect(influxDuration(14 * 86_400_000)).toBe('2w');
    expect(influxDuration(180 * 86_400_000)).toBe('180d');
    expect(influxDuration(5 * 365 * 86_400_000)).toBe('1825d');
    expect(influxDuration(36 * 3_600_000)).toBe('36h');
    expect(influxDuration(600_000)).toBe('10m');
    expect(influxDuration(1_000)).toBe('1s');
    expect(influxDuration(1_500)).toBe('1500ms');
    expect(() => influxDuration(0)).toThrow();
  });

  it('reads Go durations from SHOW RETENTION POLICIES', () => {
    expect(parseGoDuration('336h0m0s')).toBe(14 * 86_400_000);
    expect(parseGoDuration('43800h0m0s')).toBe(5 * 365 * 86_400_000);
    expect(parseGoDuration('1h30m0s')).toBe(5_400_000);
    expect(parseGoDuration('0s')).toBe(0);
    expect(() => parseGoDuration('two weeks')).toThrow(/not a Go duration/);
  });
});

describe('chunked /query answers', () => {
  it('puts partial series back together, per statement', () => {
    const text = [
      { results: [{ statement_id: 0, series: [{ name: 'm', tags: { node: 'a' }, columns: ['time', 'value'], values: [[1, 1], [2, 2]] }], partial: true }] },
      { results: [{ statement_id: 0, series: [{ name: 'm', tags: { node: 'a' }, columns: ['time', 'value'], values: [[3, 3]] }], partial: true }] },
      { results: [{ statement_id: 0, series: [{ name: 'm', tags: { node: 'b' }, columns: ['time', 'value'], values: [[1, 9]] }] }] },
      { results: [{ statement_id: 1, error: 'retention policy not found: m1' }] },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const r = mergeChunks(`${text}\n`);
    expect(r).toHaveLength(2);
    expect(r[0].series).toEqual([
      { name: 'm', tags: { node: 'a' }, columns: ['time', 'value'], values: [[1, 1], [2, 2], [3, 3]] },
      { name: 'm', tags: { node: 'b' }, columns: ['time', 'value'], values: [[1, 9]] },
    ]);
    expect(r[1]).toEqual({ statement_id: 1, error: 'retention policy not found: m1' });
  });
});
