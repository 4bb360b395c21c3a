import { describe, expect, it } from '@jest/globals';
import { parseSelector } from './series.selector.js';

const s = (name: string, labels: Record<string, string> = {}) => ({ name, labels });

describe('parseSelector', () => {
  it('matches by name', () => {
    const sel = parseSelector('node_load1');
    expect(sel.name).toBe('node_load1');
    expect(sel.test(s('node_load1'))).toBe(true);
    expect(sel.test(s('node_load15'))).toBe(false);
  });

  it('matches labels with =, !=, =~ and !~, regexes anchored as in PromQL', () => {
    const sel = parseSelector('node_filesystem_avail_bytes{fstype!~"tmpfs|overlay", mountpoint=~"/|/data.*", device!="rootfs", x=""}');
    expect(sel.matchers).toEqual([
      { label: 'fstype', op: '!~', value: 'tmpfs|overlay' },
      { label: 'mountpoint', op: '=~', value: '/|/data.*' },
      { label: 'device', op: '!=', value: 'rootfs' },
      { label: 'x', op: '=', value: '' },
    ]);
    expect(sel.test(s('node_filesystem_avail_bytes', { fstype: 'ext4', mountpoint: '/', device: '/dev/vda' }))).toBe(true);
    expect(sel.test(s('node_filesystem_avail_bytes', { fstype: 'ext4', mountpoint: '/data/2', device: '/dev/vdb' }))).toBe(true);
    expect(sel.test(s('node_filesystem_avail_bytes', { fstype: 'tmpfs', mountpoint: '/', device: 'tmpfs' }))).toBe(false);
    // anchored: /boot does not match "/|/data.*"
    expect(sel.test(s('node_filesystem_avail_bytes', { fstype: 'ext4', mountpoint: '/boot', device: '/dev/vda1' }))).toBe(false);
    // x="" matches a missing label, as in PromQL
    expect(sel.test(s('node_filesystem_avail_bytes', { fstype: 'xfs', mountpoint: '/', device: 'd', x: 'set' }))).toBe(false);
  });

  it('takes single quotes, escapes and a name matcher without a name', () => {
    const sel = parseSelector(`{__name__=~"share_api_.*_total", path='C:\\\\x', msg="a\\"b"}`);
    expect(sel.name).toBeUndefined();
    expect(sel.test(s('share_api_calls_total', { path: 'C:\\x', msg: 'a"b' }))).toBe(true);
    expect(sel.test(s('share_records_total', { path: 'C:\\x', msg: 'a"b' }))).toBe(false);
  });

  it.each([
    ['', 'a selector needs a metric name'],
    ['{mode="idle"}', 'a selector needs a metric name'],
    ['cpu{mode}', 'expected =, !=, =~ or !~ after mode'],
    ['cpu{mode=idle}', 'expected a quoted value for mode'],
    ['cpu{mode="idle"', 'expected , or } at position 16'],
    ['cpu{="idle"}', 'expected a label name at position 5'],
    ['cpu{mode="idle}', 'unterminated quoted value'],
    ['cpu{mode=~"("}', 'is not a valid regular expression'],
    ['cpu extra', 'unexpected text at position 5'],
    ['cpu{mode="a" mode="b"}', 'expected , or }'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseSelector(text)).toThrow(message);
  });
});
