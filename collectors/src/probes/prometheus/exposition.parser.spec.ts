import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ExpositionError, parseExposition, parseValue, type Exposition } from './exposition.parser.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

/** JSON has no Infinity or NaN: the golden file spells them as strings. */
function asGolden(e: Exposition) {
  const enc = (v: number) => (Number.isFinite(v) ? v : String(v));
  return { families: Object.fromEntries(e.families), samples: e.samples.map((s) => ({ ...s, value: enc(s.value) })) };
}

describe('parseExposition: golden files', () => {
  it('reads every corner of the format as edge-cases.golden.json says', () => {
    const golden = JSON.parse(testdata('edge-cases.golden.json'));
    expect(asGolden(parseExposition(testdata('edge-cases.prom')))).toEqual(golden);
  });

  it('reads a real node_exporter 1.5.0 scrape (Debian 12): every sample, typed by its family', () => {
    const text = testdata('node-exporter-1.5.0.prom');
    const { samples, families } = parseExposition(text);
    const sampleLines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(samples).toHaveLength(sampleLines.length);
    expect(families.size).toBe(text.split('\n').filter((l) => l.startsWith('# TYPE ')).length);
    // node_exporter writes a TYPE for every family
    expect(samples.filter((s) => s.type === 'untyped' && !families.has(s.family))).toEqual([]);
    expect(families.get('node_cpu_seconds_total')).toEqual({ type: 'counter', help: 'Seconds the CPUs spent in each mode.' });

    const one = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(one('node_cpu_seconds_total', { cpu: '0', mode: 'idle' })).toEqual([
      { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: 4318.58, family: 'node_cpu_seconds_total', type: 'counter' },
    ]);
    expect(one('node_memory_MemTotal_bytes')[0].value).toBe(2.5276514304e10);
    expect(one('node_filesystem_size_bytes', { mountpoint: '/' })[0]).toMatchObject({ labels: { device: '/dev/vda', fstype: 'ext4', mountpoint: '/' }, type: 'gauge' });
    // the summary: quantiles under the family name, _sum and _count belong to it
    expect(one('go_gc_duration_seconds').map((s) => s.labels.quantile)).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(one('go_gc_duration_seconds_count')[0]).toMatchObject({ family: 'go_gc_duration_seconds', type: 'summary' });
    // empty label values stay (node_network_info{duplex=""})
    expect(one('node_network_info', { device: 'lo' })[0].labels.duplex).toBe('');
    expect(samples.every((s) => typeof s.value === 'number')).toBe(true);
  });
});

describe('parseExposition: details', () => {
  it('takes CRLF line ends, blanks, tabs and a trailing comma in labels', () => {
    const e = parseExposition('# TYPE a gauge\r\na{x="1",} 2\r\n\t b \t 3\t1700000000000\r\n');
    expect(e.samples).toEqual([
      { name: 'a', labels: { x: '1' }, value: 2, family: 'a', type: 'gauge' },
      { name: 'b', labels: {}, value: 3, timestampMs: 1_700_000_000_000, family: 'b', type: 'untyped' },
    ]);
  });

  it('keeps label values with braces, commas, equals and UTF-8 intact', () => {
    const e = parseExposition('x{q="a,b}c=d",city="贵阳 筑"} 1\n');
    expect(e.samples[0].labels).toEqual({ q: 'a,b}c=d', city: '贵阳 筑' });
  });

  it('a sample before its TYPE line is untyped (as Prometheus reads it)', () => {
    const e = parseExposition('late 1\n# TYPE late counter\n');
    expect(e.samples[0].type).toBe('untyped');
  });

  it.each([
    ['a{b="c"', 1, 'expected , or } after the value of label b'],
    ['a{="c"} 1', 1, 'expected a label name at column 3'],
    ['a{b="c} 1', 1, 'unterminated quoted string'],
    ['a{b=c} 1', 1, 'expected a quoted value for label b'],
    ['a{b="\\x"} 1', 1, 'invalid escape \\x'],
    ['a{b="1",b="2"} 1', 1, 'label b appears twice'],
    ['ok 1\na 1 2 3', 2, 'unexpected "3" after the value'],
    ['a one', 1, '"one" is not a sample value'],
    ['a', 1, 'expected a blank before the value of a'],
    ['a 1 12.5', 1, '"12.5" is not a timestamp in milliseconds'],
    ['# TYPE a countr', 1, 'unknown metric type "countr" for a'],
    ['# TYPE', 1, 'expected a metric name after # TYPE'],
    ['9lives 1', 1, 'expected a metric name at column 1'],
    ['{b="c"} 1', 1, 'a sample without a metric name'],
  ])('fails %j at line %i: %s', (text, line, message) => {
    let err: unknown;
    try {
      parseExposition(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpositionError);
    expect((err as ExpositionError).line).toBe(line);
    expect((err as Error).message).toContain(message);
  });

  it('reads values as Go ParseFloat does for the format', () => {
    expect(parseValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseValue('NaN')).toBeNaN();
    expect(parseValue('1.5e-3')).toBe(0.0015);
    expect(parseValue('-0')).toBe(-0);
    expect(parseValue('.5')).toBe(0.5);
    expect(parseValue('')).toBeUndefined();
    expect(parseValue('0x10')).toBeUndefined();
    expect(parseValue('1,5')).toBeUndefined();
  });
});
