import { describe, expect, it } from '@jest/globals';
import { platformFigures } from './figures';

describe('platformFigures', () => {
  it('orders and formats the sharing platform figures', () => {
    const f = platformFigures('share', { records_per_s: 1234.5, up: 1, latency_ms: 350.2, success_pct: 99.73, extra_thing: 2 }, 'zh-CN');
    expect(f.map((x) => [x.label, x.value])).toEqual([
      ['可用', '是'],
      ['成功率', '99.7%'],
      ['响应时间', '350 ms'],
      ['交换记录', '1,235 次/秒'],
      ['extra_thing', '2 个'],
    ]);
  });

  it('speaks English', () => {
    const f = platformFigures('cloud', { hosts: 12, cpu_pct: 41.26, systems_running: 187 }, 'en');
    expect(f.map((x) => `${x.label} ${x.value}`)).toEqual(['Systems 187', 'Hosts 12', 'CPU 41.3%']);
    expect(platformFigures('open', { up: 0, downloads_per_s: 2.345 }, 'en').map((x) => x.value)).toEqual(['no', '2.3/s']);
  });
});
