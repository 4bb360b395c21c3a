import { findUnit } from '@zhuyun/protocol';
import type { NotifyEvent } from '../alert.machine.js';

/**
 * What a notification says, in Chinese (the offices that read it), built from an alert. Pure.
 */
export interface AlertNotice {
  event: NotifyEvent;
  alertId: string;
  ruleId: string;
  ruleName: string;
  metric: string;
  severity: string;
  comparison: string;
  threshold: number;
  value: number;
  district: string;
  unit: string;
  node: string;
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  /** When this notice is sent (for escalation: when it escalated). */
  at: number;
  /** `behind:<node>` etc. when the alert is held back (only resolutions are sent then). */
  suppressed: string | null;
  /** The registry's names of the node and of the node it is held back behind, when it has them. */
  nodeName?: string;
  suppressedName?: string;
}

const METRIC_ZH: Record<string, [string, string]> = {
  'net.latency_ms': ['网络时延', 'ms'],
  'net.loss_pct': ['丢包率', '%'],
  'net.jitter_ms': ['时延抖动', 'ms'],
  'net.up': ['网络连通', ''],
  'net.if_util_pct': ['链路利用率', '%'],
  'net.if_in_bps': ['入流量', 'bit/s'],
  'net.if_out_bps': ['出流量', 'bit/s'],
  'host.cpu_pct': ['CPU 使用率', '%'],
  'host.mem_pct': ['内存使用率', '%'],
  'host.disk_pct': ['磁盘使用率', '%'],
  'share.up': ['共享平台可用', ''],
  'share.success_pct': ['共享平台调用成功率', '%'],
  'share.latency_ms': ['共享平台响应时间', 'ms'],
  'open.up': ['开放平台可用', ''],
  'open.latency_ms': ['开放平台响应时间', 'ms'],
  'collector.silent_s': ['采集器失联', 's'],
};

const OP_ZH: Record<string, string> = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '==': '=', '!=': '≠' };

const RULE_ZH: Record<string, string> = {
  'default-net-up-down': '节点中断',
  'default-share-up-down': '共享交换平台中断',
  'default-open-up-down': '数据开放平台中断',
  'default-collector-lost': '采集器失联',
  'default-cardinality-limit': '超出序列数上限',
};

/**
 * A rule in Chinese (issue 15): a built-in one by its id (`节点中断`, `网络时延超过严重阈值`); a rule
 * ops made under the name they gave it.
 */
export function ruleZh(ruleId: string, ruleName: string): string {
  if (RULE_ZH[ruleId]) return RULE_ZH[ruleId];
  const m = /^default-([a-z]+)-([a-z_]+)-(critical|warning)$/.exec(ruleId);
  if (m && METRIC_ZH[`${m[1]}.${m[2]}`]) return `${METRIC_ZH[`${m[1]}.${m[2]}`][0]}超过${m[3] === 'critical' ? '严重' : '警告'}阈值`;
  return ruleName;
}

/** A node by its name and id (`开阳县汇聚节点（520121-core-1）`), or its id when it has no name. */
function nodeZh(id: string, name: string | undefined): string {
  return name && name !== id ? `${name}（${id}）` : id;
}

export function metricZh(metric: string): { name: string; unit: string } {
  const m = METRIC_ZH[metric];
  return m ? { name: m[0], unit: m[1] } : { name: metric, unit: '' };
}

/** The unit's Chinese name: `云岩区`, or for a zone `高新区（白云区）`. */
export function placeZh(district: string, unit: string): string {
  const d = findUnit(district);
  const u = findUnit(unit);
  if (u && u.kind === 'zone') return d ? `${u.zhShort}（${d.zh}）` : u.zhShort;
  return d?.zh ?? district;
}

/** Epoch ms as Beijing time, `2026-11-27 15:04:05`. */
export function beijingTime(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration in Chinese: `3 分 20 秒`, `2 小时 5 分`. */
export function durationZh(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} 分${s % 60 ? ` ${s % 60} 秒` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} 小时${m % 60 ? ` ${m % 60} 分` : ''}`;
  return `${Math.floor(h / 24)} 天 ${h % 24} 小时`;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

const EVENT_ZH: Record<NotifyEvent, string> = { firing: '告警', resolved: '恢复', escalation: '告警升级' };

export function noticeTitle(n: AlertNotice): string {
  const what = n.metric === 'collector.silent_s' ? `采集器 ${n.node} 失联` : `${n.nodeName ?? n.node} ${metricZh(n.metric).name}`;
  return `【${n.severity} ${EVENT_ZH[n.event]}】${placeZh(n.district, n.unit)} ${what}`;
}

/** The notice as Markdown lines (DingTalk, WeCom and Feishu all read this subset). */
export function noticeLines(n: AlertNotice): string[] {
  const m = metricZh(n.metric);
  const unit = m.unit ? ` ${m.unit}` : '';
  const lines = [
    `**${noticeTitle(n)}**`,
    `- 级别：${n.severity}`,
    `- 区域：${placeZh(n.district, n.unit)}`,
    `- 节点：${nodeZh(n.node, n.nodeName)}`,
    `- 规则：${ruleZh(n.ruleId, n.ruleName)}`,
    `- 指标：${m.name}（${n.metric}）当前 ${num(n.value)}${unit}，阈值 ${OP_ZH[n.comparison] ?? n.comparison} ${num(n.threshold)}${unit}`,
    `- 开始：${beijingTime(n.firedAt ?? n.activeAt)}`,
  ];
  if (n.event === 'resolved' && n.resolvedAt !== null) {
    lines.push(`- 恢复：${beijingTime(n.resolvedAt)}，持续 ${durationZh(n.resolvedAt - (n.firedAt ?? n.activeAt))}`);
  }
  if (n.event === 'escalation') lines.push(`- 已持续 ${durationZh(n.at - (n.firedAt ?? n.activeAt))} 未确认，请值班负责人处理`);
  if (n.suppressed?.startsWith('behind:')) lines.push(`- 上级节点 ${nodeZh(n.suppressed.slice(7), n.suppressedName)} 故障期间的告警`);
  lines.push(`- 告警编号：${n.alertId}`);
  return lines;
}
