import type { ContractMonth, Incident, ServiceMonth } from './sla.service.js';
import type { MaintenanceWindow } from './maintenance.calendar.js';
import { FAILED_NODES_DOWN_RATIO, INCIDENT_MERGE_GAP_MINUTES, SHARE_SUCCESS_CRITICAL_PCT, SHORT_OF_EVIDENCE_PCT, type ServiceHours } from './sla.scoring.js';
import { MINUTE_MS, formatLocal, monthRange } from './sla.time.js';
import { csvDocument, csvLine } from '../common/csv.writer.js';

/**
 * The monthly report of a contract as CSV (UTF-8 with BOM, CRLF: Excel opens it as UTF-8; written by
 * common/csv.writer.ts, so a window title such as `=cmd|…` stays text) and as a
 * self-contained printable HTML page (zh-CN) with the method of calculation. Pure.
 */

const pct = (v: number | null, digits = 3) => (v === null ? '' : v.toFixed(digits));
const mins = (ms: number | null) => (ms === null ? '' : (ms / MINUTE_MS).toFixed(1));
const yesNo = (v: boolean | null) => (v === null ? '—' : v ? '是 (yes)' : '否 (no)');

export function hoursText(h: ServiceHours): string {
  if (h.kind === '24x7') return '7×24 小时 (24x7)';
  const names = ['', '一', '二', '三', '四', '五', '六', '日'];
  return `每周${h.days.map((d) => names[d]).join('、')} ${h.from}–${h.to}（北京时间 Asia/Shanghai）`;
}

/**
 * The counted period as the report states it: always inside the month; a month before the contract
 * took effect says so (合同未生效) with the month's bounds, never an empty "t – t".
 */
export function periodText(r: Pick<ContractMonth, 'from' | 'to' | 'month' | 'effective' | 'contract'>): string {
  const effectiveAt = formatLocal(r.contract.effectiveFrom);
  if (r.effective === 'none') {
    const { start, end } = monthRange(r.month);
    return `${formatLocal(start)} – ${formatLocal(end)}：合同未生效 (contract not in effect; effective from ${effectiveAt})`;
  }
  const head = `${formatLocal(r.from)} – ${formatLocal(r.to)}`;
  return r.effective === 'partial' ? `${head}（合同自 ${effectiveAt} 起生效，此前不计 / effective from ${effectiveAt}）` : head;
}

/** The method of calculation, printed on the report (zh-CN with the English terms). */
export function methodLines(r: ContractMonth): string[] {
  const n = r.contract.minOutageMinutes;
  return [
    `统计周期 (period)：${r.month}，按北京时间 (Asia/Shanghai, UTC+8) 自然月，自合同生效时间 (effective from) ${formatLocal(r.contract.effectiveFrom)} 起，此前的日期为"合同未生效"，不计入任何数字；合同服务时间 (service hours)：${hoursText(r.contract.hours)}；服务时间以外的分钟不计入。`,
    '每个服务的每一分钟判定为 UP（正常）、DOWN（故障）、MAINT（已批准的维护窗口）或 NO_DATA（无数据）之一，原始分钟全部保存。',
    `外网与云平台 (extranet, cloud)：该分钟内汇聚（核心）节点全部探测失败，或超过 ${FAILED_NODES_DOWN_RATIO * 100}% 的上报节点探测失败，判为 DOWN；节点某分钟多数探测失败即为失败。`,
    `共享平台与开放平台 (sharing, open)：健康探测多数失败，或（共享平台）该分钟平均成功率低于 ${SHARE_SUCCESS_CRITICAL_PCT}%，判为 DOWN。`,
    `某分钟未收到该服务任何数据点，在分钟结束 ${r.graceMinutes} 分钟后判为 NO_DATA；迟到数据（采集器缓存补传，最长 72 小时）到达后重新判定。`,
    `维护窗口须事先登记并获批准，自登记时起生效；事后补登的维护须通过"分钟重新分类"(reclassification) 处理，记录操作人、时间和理由，原始判定保留。`,
    `最短故障时长 (minimum outage) N = ${n} 分钟：连续 DOWN 少于 N 分钟不计为故障，按 UP 计入可用率（原始分钟保留）。`,
    '可用率 (availability) = UP ÷ (UP + DOWN)；MAINT 与 NO_DATA 不计入分母，NO_DATA 单独列出。',
    `NO_DATA 超过统计分钟数的 ${SHORT_OF_EVIDENCE_PCT}% 时，该月结果标记为"证据不足"(short of evidence)，需双方共同复核。`,
    '错误预算 (error budget) = (1 − 目标可用率) × (整月服务时间分钟数 − MAINT 分钟数)；剩余 = 错误预算 − 已计 DOWN 分钟。',
    `故障事件 (incident)：由 DOWN 分钟连成；间隔少于 ${INCIDENT_MERGE_GAP_MINUTES} 分钟非故障的合并为一个事件。优先级 (priority) 与告警的 P1–P3 同义，按中断的范围而非时长：区县/开发区外网中断（汇聚节点故障或过半节点故障）、云平台、共享或开放平台中断为 P1（不论时长）；共享平台成功率低于 ${SHARE_SUCCESS_CRITICAL_PCT}% 为 P2；单个接入点故障不构成服务中断，不成为事件。时长另见"时长""修复时长"与"计入可用率"。`,
    '确认时长 (TTA) = 首个 DOWN 分钟 → 首次确认（告警确认或本系统确认）；修复时长 (TTR) = 首个 DOWN 分钟 → 最后一个 DOWN 分钟结束。',
    '多个服务的合计按分钟数求和后计算，不对百分比求平均。',
  ];
}

function incidentCells(i: Incident & { counted: boolean }, serviceName: string) {
  return [i.id, i.service, serviceName, i.severity, formatLocal(i.start), i.open ? '' : formatLocal(i.end), i.durationMinutes, i.downMinutes, i.open ? '是 (yes)' : '否 (no)', i.counted ? '是 (yes)' : '否 (no)', mins(i.ttaMs), mins(i.ttrMs), i.acknowledgedBy ?? '', i.cause];
}

function windowCells(w: MaintenanceWindow) {
  const s = w.schedule;
  const when = s.kind === 'once'
    ? `${formatLocal(s.start)} – ${formatLocal(s.end)}`
    : `每周 (weekly) ${s.weekdays.join('、')} ${s.startTime} +${s.durationMinutes} 分钟 (min), ${formatLocal(s.from)} – ${s.until === null ? '' : formatLocal(s.until)}`;
  return [w.title, [...w.services, ...w.districts].join(' '), when, w.requestedBy, formatLocal(w.requestedAt), w.decidedBy ?? '', w.decidedAt === null ? '' : formatLocal(w.decidedAt)];
}
const WINDOW_HEAD = ['标题 (title)', '范围 (scope)', '时间 (when)', '申请人 (requested by)', '登记时间 (registered)', '批准人 (approved by)', '批准时间 (approved)'];

const NOT_EFFECTIVE = '合同未生效 (not in effect)';
/** Error budget, left, left %: "not in effect" in a month the contract did not cover, never "100 %". */
function budgetCells(b: ServiceMonth['budget'] | null, effective: ContractMonth['effective']): string[] {
  if (!b) return ['', '', ''];
  if (effective === 'none') return [NOT_EFFECTIVE, NOT_EFFECTIVE, NOT_EFFECTIVE];
  return [b.totalMinutes.toFixed(1), b.leftMinutes.toFixed(1), b.leftPct !== null && Number.isFinite(b.leftPct) ? b.leftPct.toFixed(1) : ''];
}

/** CSV: a head, the per-service table, the incidents, the reclassifications and the method. */
export function reportCsv(r: ContractMonth): string {
  const lines: string[] = [];
  lines.push(csvLine(['SLA 月度报告 (monthly SLA report)', r.contract.name]));
  lines.push(csvLine(['运维单位 (operator)', r.contract.operator]));
  lines.push(csvLine(['月份 (month)', r.month]));
  lines.push(csvLine(['统计区间 (period, Asia/Shanghai)', periodText(r)]));
  lines.push(csvLine(['合同生效 (contract effective from)', formatLocal(r.contract.effectiveFrom)]));
  lines.push(csvLine(['目标可用率% (target %)', r.contract.targetPct]));
  lines.push(csvLine(['最短故障分钟 (minimum outage, min)', r.contract.minOutageMinutes]));
  lines.push(csvLine(['服务时间 (service hours)', hoursText(r.contract.hours)]));
  lines.push(csvLine(['生成时间 (generated, Asia/Shanghai)', formatLocal(r.generatedAt)]));
  lines.push('');
  lines.push(
    csvLine([
      '服务编号 (service id)', '服务 (service)', '统计分钟 (minutes)', '正常分钟 (UP)', '故障分钟 (DOWN)', '维护分钟 (MAINT)', '无数据分钟 (NO_DATA)',
      '短时故障计为正常 (forgiven DOWN)', '可用率% (availability %)', '目标% (target %)', '达标 (met)', '无数据占比% (NO_DATA %)', '证据不足 (short of evidence)',
      '错误预算分钟 (error budget, min)', '剩余预算分钟 (budget left, min)', '剩余预算% (budget left %)', '事件数 (incidents)',
    ]),
  );
  for (const s of [...r.services, { service: 'total', zh: '合计', en: 'Total', figures: r.total, targetPct: r.contract.targetPct, met: r.met, budget: null, incidents: r.services.flatMap((x) => x.incidents) }]) {
    const f = s.figures;
    lines.push(
      csvLine([
        s.service, `${s.zh} (${s.en})`, f.minutes, f.up, f.down, f.maint, f.noData, f.forgiven, pct(f.availabilityPct), s.targetPct, yesNo(s.met), pct(f.noDataPct),
        f.shortOfEvidence ? '是 (yes)' : '否 (no)', ...budgetCells(s.budget, r.effective), s.incidents.length,
      ]),
    );
  }
  lines.push('');
  lines.push(csvLine(['故障事件 (incidents)']));
  lines.push(csvLine(['事件编号 (id)', '服务编号 (service id)', '服务 (service)', '优先级 (priority: P1 = service outage, as the alerts)', '开始 (start)', '结束 (end)', '时长分钟 (duration, min)', '故障分钟 (DOWN min)', '未结束 (open)', '计入可用率 (counted)', '确认时长分钟 (TTA, min)', '修复时长分钟 (TTR, min)', '确认人 (acknowledged by)', '原因 (cause)']));
  for (const s of r.services) for (const i of s.incidents) lines.push(csvLine(incidentCells(i, s.zh)));
  lines.push('');
  lines.push(csvLine(['维护窗口 (approved maintenance windows)']));
  lines.push(csvLine(WINDOW_HEAD));
  for (const w of r.windows) lines.push(csvLine(windowCells(w)));
  lines.push('');
  lines.push(csvLine(['分钟重新分类 (reclassifications)']));
  lines.push(csvLine(['服务编号 (service id)', '开始 (from)', '结束 (to)', '改为 (new state)', '理由 (reason)', '操作人 (by)', '时间 (at)']));
  for (const x of r.reclassifications) lines.push(csvLine([x.service, formatLocal(x.from), formatLocal(x.to), x.state, x.reason, x.by, formatLocal(x.at)]));
  lines.push('');
  lines.push(csvLine(['计算方法 (method of calculation)']));
  for (const m of methodLines(r)) lines.push(csvLine([m]));
  return csvDocument(lines);
}

function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A self-contained printable page (no scripts, no outside resources). */
export function reportHtml(r: ContractMonth): string {
  const row = (cells: Array<string | number | null | undefined>, tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  const serviceRows = r.services
    .map((s) => {
      const f = s.figures;
      return `<tr class="${s.met === false ? 'miss' : ''}">${[
        `${s.zh}`, s.service, f.minutes, f.up, f.down, f.maint, f.noData, pct(f.availabilityPct), s.targetPct, yesNo(s.met), f.shortOfEvidence ? '证据不足' : '', r.effective === 'none' ? '合同未生效' : s.budget.leftMinutes.toFixed(1), s.incidents.length,
      ].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const t = r.total;
  const totalRow = row(['合计 (total)', '', t.minutes, t.up, t.down, t.maint, t.noData, pct(t.availabilityPct), r.contract.targetPct, yesNo(r.met), t.shortOfEvidence ? '证据不足' : '', '', r.services.reduce((a, s) => a + s.incidents.length, 0)]);
  const incidents = r.services.flatMap((s) => s.incidents.map((i) => row(incidentCells(i, s.zh).slice(1)))).join('\n');
  const reclass = r.reclassifications.map((x) => row([x.service, formatLocal(x.from), formatLocal(x.to), x.state, x.reason, x.by, formatLocal(x.at)])).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(r.contract.name)} — SLA 月度报告 ${esc(r.month)}</title>
<style>
  body { font-family: "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; margin: 2em; color: #111; }
  h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
  table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
  th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; }
  th { background: #eee; } tr.miss td { background: #fde2e2; }
  dl { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; }
  dt { font-weight: bold; } ol { font-size: 0.9em; }
  @media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>SLA 月度报告（${esc(r.month)}）</h1>
<dl>
  <dt>合同 (contract)</dt><dd>${esc(r.contract.name)}</dd>
  <dt>运维单位 (operator)</dt><dd>${esc(r.contract.operator)}</dd>
  <dt>统计区间 (period)</dt><dd>${esc(periodText(r))}（北京时间）</dd>
  <dt>目标可用率 (target)</dt><dd>${esc(r.contract.targetPct)}%</dd>
  <dt>服务时间 (service hours)</dt><dd>${esc(hoursText(r.contract.hours))}</dd>
  <dt>最短故障时长 (N)</dt><dd>${esc(r.contract.minOutageMinutes)} 分钟</dd>
  <dt>总体可用率 (availability)</dt><dd>${esc(pct(t.availabilityPct))}%　达标：${esc(yesNo(r.met))}${t.shortOfEvidence ? '　<strong>证据不足 (short of evidence)</strong>' : ''}</dd>
  <dt>生成时间 (generated)</dt><dd>${esc(formatLocal(r.generatedAt))}</dd>
</dl>
<h2>各服务可用率 (availability per service)</h2>
<table>
${row(['服务', '编号', '统计分钟', 'UP', 'DOWN', 'MAINT', 'NO_DATA', '可用率%', '目标%', '达标', '证据', '剩余预算(分钟)', '事件数'], 'th')}
${serviceRows}
${totalRow}
</table>
<h2>故障事件 (incidents)</h2>
<table>
${row(['服务编号', '服务', '优先级（同告警）', '开始', '结束', '时长(分钟)', 'DOWN分钟', '未结束', '计入', 'TTA(分钟)', 'TTR(分钟)', '确认人', '原因'], 'th')}
${incidents || '<tr><td colspan="13">本月无故障事件 (none)</td></tr>'}
</table>
<h2>维护窗口 (approved maintenance windows)</h2>
<table>
${row(WINDOW_HEAD, 'th')}
${r.windows.map((w) => row(windowCells(w))).join('\n') || '<tr><td colspan="7">无 (none)</td></tr>'}
</table>
<h2>分钟重新分类 (reclassifications)</h2>
<table>
${row(['服务编号', '开始', '结束', '改为', '理由', '操作人', '时间'], 'th')}
${reclass || '<tr><td colspan="7">无 (none)</td></tr>'}
</table>
<h2>计算方法 (method of calculation)</h2>
<ol>
${methodLines(r).map((m) => `<li>${esc(m)}</li>`).join('\n')}
</ol>
</body>
</html>
`;
}
