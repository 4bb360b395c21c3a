import { describe, expect, it } from '@jest/globals';
import { createI18n } from 'vue-i18n';
import { MESSAGES } from '../i18n/messages';
import { causeLines, causeText, slaCauseText } from './cause';

const zh = createI18n({ legacy: false, locale: 'zh-CN', messages: MESSAGES });
const en = createI18n({ legacy: false, locale: 'en', messages: MESSAGES });
const tz = (k: string, p?: Record<string, unknown>) => zh.global.t(k, p ?? {});
const te = (k: string, p?: Record<string, unknown>) => en.global.t(k, p ?? {});

// Issue 15 item 4: status causes were English in the Chinese UI ("no data for 407 s").
describe('status causes worded from the catalogue', () => {
  it('words each code in Chinese, with no English left', () => {
    const lines = [
      causeText(tz, 'zh-CN', { code: 'no-data', params: { s: 407 } }),
      causeText(tz, 'zh-CN', { code: 'up-zero', params: { metric: 'net.up' } }),
      causeText(tz, 'zh-CN', { code: 'threshold', params: { metric: 'net.if_util_pct', value: 70.1, op: '≥', limit: 70, level: 'warning' } }),
      causeText(tz, 'zh-CN', { code: 'threshold-held', params: { metric: 'net.if_util_pct', value: 68.48, op: '≥', limit: 70, level: 'warning', recover: 63 } }),
      causeText(tz, 'zh-CN', { code: 'late-points', params: { min: 5 } }),
    ];
    expect(lines).toEqual([
      '已 407 秒没有数据',
      '网络连通为 0（不可达）',
      '上联利用率 70.1% ≥ 降级阈值 70%',
      '上联利用率 68.5%，曾 ≥ 降级阈值 70%：恢复观察中，低于 63% 才恢复',
      '数据迟到约 5 分钟（采集器时钟落后或补传）：已存储，不算实时',
    ]);
    for (const l of lines) expect(l).not.toMatch(/[a-z]{3,}/);
  });
  it('words them in English too, and falls back to the reason for an unknown code or an older server', () => {
    expect(causeText(te, 'en', { code: 'threshold', params: { metric: 'net.latency_ms', value: 62, op: '≥', limit: 50, level: 'critical' } })).toBe('Latency 62 ms ≥ down threshold 50 ms');
    expect(causeText(te, 'en', { code: 'what-is-this', params: {} }, 'x ≥ 1')).toBe('x ≥ 1');
    expect(causeLines(tz, 'zh-CN', { reasons: ['net.up = 0'] })).toEqual(['net.up = 0']);
  });
  it("words the SLA engine's causes (aggregation node down, 5 of 9 nodes down)", () => {
    expect(slaCauseText(tz, 'aggregation node down: 520121-core-1')).toBe('汇聚节点中断：520121-core-1');
    expect(slaCauseText(tz, '5 of 9 nodes down')).toBe('5/9 个节点中断');
    expect(slaCauseText(tz, 'no point arrived for this minute')).toBe('该分钟没有数据');
    expect(slaCauseText(te, '5 of 9 nodes down')).toBe('5 of 9 nodes down');
  });
});
