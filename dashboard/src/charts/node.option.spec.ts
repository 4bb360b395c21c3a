import { describe, expect, it } from '@jest/globals';
import { formatDayTick, nodeMetricOption } from './node.option';

const to = Date.UTC(2026, 11, 3, 4, 30);
const from = to - 24 * 3_600_000;

describe('nodeMetricOption', () => {
  const o = nodeMetricOption([{ node: '红枫湖镇', points: [[from - 1000, 9], [from + 60_000, 3], [to - 60_000, 4]] }], { locale: 'zh-CN', theme: 'dark', from, to }) as unknown as {
    xAxis: { min: number; max: number };
    dataZoom: Array<{ type: string; xAxisIndex: number; start?: number }>;
    grid: { bottom: number };
    series: Array<{ id: string; data: unknown[] }>;
  };
  it('spans the chosen range, points outside it left out', () => {
    expect([o.xAxis.min, o.xAxis.max]).toEqual([from, to]);
    expect(o.series.find((s) => s.id === 'node:红枫湖镇')!.data).toEqual([[from + 60_000, 3], [to - 60_000, 4]]);
  });
  it('zooms inside and with a slider under the chart, without a start of its own (the user\'s zoom stays across redraws)', () => {
    expect(o.dataZoom.map((z) => [z.type, z.xAxisIndex])).toEqual([['inside', 0], ['slider', 0]]);
    expect(o.dataZoom.every((z) => z.start === undefined)).toBe(true);
    expect(o.grid.bottom).toBeGreaterThanOrEqual(40);
  });
});

describe('the axis of a long range names the day (Beijing time)', () => {
  type Axis = { xAxis: { axisLabel: { formatter: (v: number) => string } } };
  const label = (span: number, v: number) => (nodeMetricOption([], { locale: 'zh-CN', theme: 'dark', from: to - span, to }) as unknown as Axis).xAxis.axisLabel.formatter(v);
  // 2026-12-02 16:00 UTC = 12-03 00:00 Beijing.
  const midnight = Date.UTC(2026, 11, 2, 16);
  it.each([
    ['24 h: hours', 24 * 3_600_000, midnight + 6 * 3_600_000, '06:00'],
    ['7 days: a midnight is its day', 7 * 86_400_000, midnight, '12-03'],
    ['7 days: another hour with its day', 7 * 86_400_000, midnight + 12 * 3_600_000, '12-03 12:00'],
  ])('%s', (_, span, v, text) => expect(label(span, v)).toBe(text));
  it('the tooltip has the seconds', () => expect(formatDayTick(midnight + 61_000, true)).toBe('12-03 00:01:01'));
});
