import { describe, expect, it } from '@jest/globals';
import { LATENCY_WINDOW_MS, latencyOption, niceCeil, withGaps, type NodeSeries } from './latency.option';

type Line = {
  id: string;
  name: string;
  type: string;
  sampling?: string;
  showSymbol?: boolean;
  data: Array<[number, number | null]>;
  markLine?: { data: Array<{ name: string; yAxis: number; label: { formatter: string } }> };
};

const now = Date.UTC(2026, 10, 27, 2, 42, 0);
const minute = 60_000;

function series(): NodeSeries[] {
  const pts = (base: number) => Array.from({ length: 30 }, (_, i) => [now - (29 - i) * minute, base + i] as [number, number]);
  return [
    { node: 'yy-core-1', points: pts(3) },
    { node: 'yy-acc-2', points: pts(10) },
  ];
}

function lines(opt: ReturnType<typeof latencyOption>): Line[] {
  return opt.series as Line[];
}

describe('latencyOption', () => {
  it('draws one line per node, sampled with LTTB and without symbols', () => {
    const opt = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now });
    const nodes = lines(opt).filter((s) => s.id.startsWith('node:'));
    expect(nodes.map((s) => s.name)).toEqual(['yy-acc-2', 'yy-core-1']);
    for (const s of nodes) {
      expect(s.type).toBe('line');
      expect(s.sampling).toBe('lttb');
      expect(s.showSymbol).toBe(false);
    }
    expect((opt.legend as { data: string[] }).data).toEqual(['yy-acc-2', 'yy-core-1']);
  });

  it('marks the warning and critical thresholds (20 / 50 ms) as lines', () => {
    const opt = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now });
    const t = lines(opt).find((s) => s.id === 'thresholds')!;
    expect(t.markLine!.data.map((d) => [d.name, d.yAxis])).toEqual([
      ['warning', 20],
      ['critical', 50],
    ]);
    expect(t.markLine!.data[0].label.formatter).toBe('告警线 20 ms');
    const en = lines(latencyOption([], { locale: 'en', theme: 'dark', now })).find((s) => s.id === 'thresholds')!;
    expect(en.markLine!.data[1].label.formatter).toBe('Critical 50 ms');
  });

  it('keeps to a bounded window ending now', () => {
    const opt = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now, windowMs: 10 * minute });
    const x = opt.xAxis as { min: number; max: number; type: string };
    expect(x.type).toBe('time');
    expect(x.max).toBe(now);
    expect(x.min).toBe(now - 10 * minute);
    for (const s of lines(opt).filter((l) => l.id.startsWith('node:'))) {
      expect(s.data).toHaveLength(11);
      expect(s.data.every(([ts]) => ts >= now - 10 * minute && ts <= now)).toBe(true);
    }
    const def = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now });
    expect((def.xAxis as { min: number }).min).toBe(now - LATENCY_WINDOW_MS);
  });

  it('keeps the critical line in view when every node is fast', () => {
    const opt = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now });
    const max = (opt.yAxis as { max: (e: { max: number }) => number }).max;
    expect(max({ max: 12 })).toBe(60);
    expect(max({ max: 180 })).toBe(200);
    expect(max({ max: -Infinity })).toBe(60); // no data at all: the thresholds still show
    expect(niceCeil(60)).toBe(60);
    expect(niceCeil(89)).toBe(100);
    expect(niceCeil(230)).toBe(250);
    expect(niceCeil(0.3)).toBe(0.3);
  });

  it('breaks a line where a node went silent instead of drawing across', () => {
    const pts: Array<[number, number]> = [[0, 1], [10_000, 2], [20_000, 3], [30_000, 4], [90_000, 5], [100_000, 6]];
    expect(withGaps(pts)).toEqual([[0, 1], [10_000, 2], [20_000, 3], [30_000, 4], [30_001, null], [90_000, 5], [100_000, 6]]);
    expect(withGaps(pts.slice(0, 4))).toEqual(pts.slice(0, 4));
    const opt = latencyOption([{ node: 'n', points: pts }], { locale: 'en', theme: 'dark', now: 100_000 });
    expect(lines(opt)[0].data).toContainEqual([30_001, null]);
  });

  it('still shows the thresholds with no data', () => {
    const opt = latencyOption([], { locale: 'zh-CN', theme: 'dark', now });
    expect(lines(opt).map((s) => s.id)).toEqual(['thresholds']);
  });

  it('draws another metric with its own unit, or without threshold lines', () => {
    const pct = (v: number) => `${v} %`;
    const loss = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now, threshold: { warning: 0.1, critical: 1 }, formatValue: pct });
    const th = (loss.series as Line[]).find((s) => s.id === 'thresholds')!;
    expect(th.markLine!.data.map((d) => d.label.formatter)).toEqual(['告警线 0.1 %', '严重线 1 %']);
    const traffic = latencyOption(series(), { locale: 'en', theme: 'dark', now, threshold: null, formatValue: pct });
    expect((traffic.series as Line[]).map((s) => s.id)).toEqual(['node:yy-acc-2', 'node:yy-core-1']);
  });

  it('scales its text for the wall screen', () => {
    const big = latencyOption(series(), { locale: 'zh-CN', theme: 'dark', now, textScale: 1.5 }) as { legend: { textStyle: { fontSize: number } }; xAxis: { axisLabel: { fontSize: number } } };
    expect(big.legend.textStyle.fontSize).toBe(18);
    expect(big.xAxis.axisLabel.fontSize).toBe(18);
  });
});

describe('latencyOption drawn by ECharts (server-side SVG)', () => {
  /** The y-axis labels ECharts draws for an option: rendered to SVG in Node, no browser. */
  async function yLabels(opt: ReturnType<typeof latencyOption>, unit: string): Promise<string[]> {
    const echarts = await import('echarts');
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 300 });
    try {
      chart.setOption({ ...opt, animation: false });
      const svg = chart.renderToSVGString();
      return [...svg.matchAll(/>([^<>]*)<\/text>/g)].map((m) => m[1]).filter((t) => t.endsWith(unit));
    } finally {
      chart.dispose();
    }
  }

  it('gives an empty traffic chart distinct axis labels (not "1 bps 1 bps 1 bps 0 bps")', async () => {
    const bps = (v: number) => `${Math.round(v)} bps`;
    const labels = await yLabels(latencyOption([], { locale: 'zh-CN', theme: 'dark', now, threshold: null, formatAxis: bps }), ' bps');
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
