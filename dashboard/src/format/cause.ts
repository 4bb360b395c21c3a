import type { StatusCause } from '@zhuyun/protocol';
import zhCN from '../i18n/zh-CN';
import type { Locale } from '../i18n/messages';
import { formatNumber } from './format';

/**
 * A status cause worded from the catalogue (issue 15 item 4): the server sends codes and parameters
 * (protocol status-causes.ts) beside its plain English reasons; every view that shows why a node is
 * not up (node table, node page, change feed) words them here. A cause without a known code (an
 * older or newer server) falls back to the English reason.
 */
type T = (key: string, params?: Record<string, unknown>) => string;

const METRIC_KEYS = new Set(Object.keys(zhCN.statusCause.metric));

function metricName(t: T, metric: string): string {
  const k = metric.replace(/\./g, '_');
  return METRIC_KEYS.has(k) ? t(`statusCause.metric.${k}`) : metric;
}

/** A value with its unit, as the metric reads: `70.1%`, `52 ms`, `12 天`. */
function valueText(t: T, locale: Locale, metric: string, v: unknown): string {
  if (typeof v !== 'number') return String(v);
  const n = formatNumber(v, locale, Math.abs(v) < 1 ? 3 : Math.abs(v) < 100 ? 1 : 0);
  if (metric.endsWith('_pct')) return `${n}${t('statusCause.unit.pct')}`;
  if (metric.endsWith('_ms')) return `${n}${t('statusCause.unit.ms')}`;
  if (metric.endsWith('_days_left')) return `${n}${t('statusCause.unit.days')}`;
  return n;
}

export function causeText(t: T, locale: Locale, cause: StatusCause | undefined, fallback = ''): string {
  if (!cause) return fallback;
  const p = cause.params;
  const metric = String(p.metric ?? '');
  switch (cause.code) {
    case 'no-data':
      return t('statusCause.noData', { s: p.s });
    case 'late-points':
      return t('statusCause.latePoints', { min: p.min });
    case 'up-zero':
      return t('statusCause.upZero', { metric: metricName(t, metric) });
    case 'threshold':
    case 'threshold-held': {
      const common = {
        metric: metricName(t, metric),
        value: valueText(t, locale, metric, p.value),
        op: p.op,
        limit: valueText(t, locale, metric, p.limit),
        level: t(`statusCause.level.${p.level === 'critical' ? 'critical' : 'warning'}`),
      };
      if (cause.code === 'threshold') return t('statusCause.threshold', common);
      return t('statusCause.held', { ...common, recover: valueText(t, locale, metric, p.recover), recoverSide: t(p.op === '≤' ? 'statusCause.above' : 'statusCause.below') });
    }
    default:
      return fallback;
  }
}

/** A node's causes worded, one line each; its English reasons when the server sent no codes. */
export function causeLines(t: T, locale: Locale, node: { reasons: readonly string[]; causes?: readonly StatusCause[] }): string[] {
  if (!node.causes) return [...node.reasons];
  return node.causes.map((c, i) => causeText(t, locale, c, node.reasons[i] ?? ''));
}

/**
 * An SLA minute's cause (server/src/sla/sla.scoring.ts writes it in English into `sla_minutes`,
 * and an incident carries its first minute's): worded from the catalogue by its known shapes
 * (`aggregation node down: …`, `5 of 9 nodes down`, `no point arrived for this minute`...); one of
 * another shape is shown as it is.
 */
export function slaCauseText(t: T, reason: string): string {
  let m: RegExpExecArray | null;
  if (reason === 'no point arrived for this minute') return t('statusCause.sla.noPoint');
  if (reason === 'health probes answered') return t('statusCause.sla.probesOk');
  if (reason === 'all reporting nodes up') return t('statusCause.sla.allUp');
  if (reason === 'state re-applied') return t('statusCause.sla.reapplied');
  if ((m = /^health probe failed \((\d+) of (\d+) samples\)$/.exec(reason))) return t('statusCause.sla.probeFailed', { down: m[1], total: m[2] });
  if ((m = /^success rate ([\d.]+) % < ([\d.]+) %$/.exec(reason))) return t('statusCause.sla.successLow', { value: m[1], limit: m[2] });
  if ((m = /^aggregation node down: (.+)$/.exec(reason))) return t('statusCause.sla.coreDown', { nodes: m[1] });
  if ((m = /^(\d+) of (\d+) nodes down \(not enough for an outage\)$/.exec(reason))) return t('statusCause.sla.nodesDownMinor', { failed: m[1], total: m[2] });
  if ((m = /^(\d+) of (\d+) nodes down$/.exec(reason))) return t('statusCause.sla.nodesDown', { failed: m[1], total: m[2] });
  return reason;
}
