import { describe, expect, it } from '@jest/globals';
import { reportCsv, reportHtml } from './sla.report.js';
import { periodFigures, errorBudget } from './sla.scoring.js';
import type { ContractMonth } from './sla.service.js';
import { formatLocal, monthRange } from './sla.time.js';

const { start } = monthRange('2026-11');
const figures = periodFigures(['UP', 'UP', 'DOWN', 'MAINT', 'NO_DATA'], start, { minOutageMinutes: 1, hours: { kind: '24x7' } });
const report: ContractMonth = {
  contract: {
    id: '0123456789', operator: '中国电信贵阳分公司, "政企部"', name: '合同 <A&B>', services: ['extranet:520103'], targetPct: 99.9,
    hours: { kind: 'weekly', days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }, minOutageMinutes: 5, effectiveFrom: start, createdAt: start, updatedAt: start,
  },
  month: '2026-11',
  from: start,
  to: start + 5 * 60_000,
  effective: 'full',
  total: figures,
  met: false,
  services: [{
    service: 'extranet:520103', zh: '云岩区电子政务外网', en: 'Yunyan extranet', figures, targetPct: 99.9, met: false, budget: errorBudget(99.9, 43_200, 1, 1),
    incidents: [{ id: 'i1', service: 'extranet:520103', start: start + 120_000, end: start + 180_000, durationMinutes: 1, downMinutes: 1, open: false, severity: 'P3', acknowledgedAt: null, acknowledgedBy: null, ttaMs: null, ttrMs: 60_000, counted: true, cause: 'aggregation node down: 520103-core-1' }],
  }],
  reclassifications: [{ id: 'r1', service: 'extranet:520103', from: start, to: start + 60_000, state: 'UP', reason: 'line 1\nline "2"', by: 'ops', at: start }],
  windows: [{
    id: 'w1', title: '核心路由器升级', services: [], districts: ['520103'], schedule: { kind: 'once', start: start + 60_000, end: start + 120_000 }, state: 'approved',
    requestedBy: 'operator-a', requestedAt: start - 86_400_000, decidedBy: 'ops-lead', decidedAt: start - 3_600_000, note: null,
  }],
  graceMinutes: 7,
  generatedAt: start,
};

describe('monthly report', () => {
  it('CSV: BOM, CRLF, quoted cells where needed, local times, the method', () => {
    const csv = reportCsv(report);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).toContain('运维单位 (operator),"中国电信贵阳分公司, ""政企部"""\r\n');
    expect(csv).toContain('extranet:520103,云岩区电子政务外网 (Yunyan extranet),5,2,1,1,1,0,66.667,99.9,否 (no),20.000,是 (yes),43.2,42.2,97.7,1\r\n');
    expect(csv).toContain('i1,extranet:520103,云岩区电子政务外网,P3,2026-11-01 00:02,2026-11-01 00:03,1,1,否 (no),是 (yes),,1.0,,aggregation node down: 520103-core-1\r\n');
    expect(csv).toContain('"line 1\nline ""2"""');
    expect(csv).toContain('每周一、二、三、四、五 08:00–18:00');
    expect(csv).toContain('核心路由器升级,520103,2026-11-01 00:01 – 2026-11-01 00:02,operator-a,2026-10-31 00:00,ops-lead,2026-10-31 23:00\r\n');
    expect(csv).toContain('最短故障时长 (minimum outage) N = 5 分钟');
    expect(csv).toContain('在分钟结束 7 分钟后判为 NO_DATA'); // the configured grace (ZHUYUN_SLA_GRACE), not the default
  });
  it('HTML: self-contained, escaped, zh-CN, with the method', () => {
    const html = reportHtml(report);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('合同 &lt;A&amp;B&gt;');
    expect(html).not.toContain('<A&B>');
    expect(html).toContain('计算方法 (method of calculation)');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});

describe('a month before the contract took effect (issue 15, item 8)', () => {
  const { end } = monthRange('2026-11');
  const effectiveFrom = monthRange('2026-12').start + 2 * 86_400_000 + (14 * 60 + 45) * 60_000; // 2026-12-03 14:45
  const empty = periodFigures([], end, { minOutageMinutes: 1, hours: { kind: '24x7' } });
  const before: ContractMonth = {
    ...report,
    contract: { ...report.contract, effectiveFrom },
    from: end,
    to: end,
    effective: 'none',
    total: empty,
    met: null,
    services: [{ ...report.services[0], figures: empty, met: null, budget: { totalMinutes: 0, usedMinutes: 0, leftMinutes: 0, leftPct: null }, incidents: [] }],
  };
  it('CSV: the period is the month bounds, said to be before the contract; no "100 %" budget', () => {
    const csv = reportCsv(before);
    expect(formatLocal(effectiveFrom)).toBe('2026-12-03 14:45');
    expect(csv).toContain('"统计区间 (period, Asia/Shanghai)",2026-11-01 00:00 – 2026-12-01 00:00：合同未生效 (contract not in effect; effective from 2026-12-03 14:45)\r\n');
    expect(csv).not.toContain('2026-12-03 14:45 – 2026-12-03 14:45');
    const row = csv.split('\r\n').find((l) => l.startsWith('extranet:520103,'))!;
    expect(row).toContain('合同未生效 (not in effect)');
    expect(row).not.toContain('100.0');
  });
  it('HTML: says 合同未生效 in the period and the budget', () => {
    const html = reportHtml(before);
    expect(html).toContain('2026-11-01 00:00 – 2026-12-01 00:00：合同未生效');
    expect(html.match(/合同未生效/g)!.length).toBeGreaterThanOrEqual(2);
  });
  it('the incident priority is named as the alerts name it', () => {
    expect(reportCsv(report)).toContain('优先级 (priority: P1 = service outage, as the alerts)');
    expect(reportHtml(report)).toContain('优先级（同告警）');
  });
});
