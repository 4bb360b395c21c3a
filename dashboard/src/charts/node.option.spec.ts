import { describe, expect, it } from '@jest/globals';
import { nodeMetricOption } from './node.option';

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
