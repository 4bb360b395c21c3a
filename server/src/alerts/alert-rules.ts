import { DEFAULT_THRESHOLDS, findUnit, METRIC_NAME, PLATFORMS, type Tags } from '@zhuyun/protocol';
import { z } from 'zod';
import { COLLECTOR_LOST_AFTER_MS } from '../auth/collector-health.js';

/**
 * The alert rule model (docs/ALERTS.md "Rules"). Pure: the schema, the defaults and the matching
 * of a point's tags against a rule's scope.
 */

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/**
 * P1: a service is unreachable (node or platform down); P2: badly degraded (a critical threshold)
 * or monitoring is blind (collector lost); P3: a warning threshold. District comparison counts P1.
 */
export const SEVERITIES = ['P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The pseudo-metric of the collector-lost rule: seconds since a collector's last request. */
export const COLLECTOR_SILENT_METRIC = 'collector.silent_s';

/**
 * The pseudo-metric of the cardinality-limit rule: points of a collector refused by the
 * cardinality limits (ingest/cardinality.guard.ts) since its refusals began, 0 once it has been
 * quiet for ten minutes.
 */
export const CARDINALITY_REFUSED_METRIC = 'collector.cardinality_refused_points';
export const CARDINALITY_RULE_ID = 'default-cardinality-limit';

/**
 * Where a rule applies. Each field absent or `all` matches everything; else it must equal the
 * point's tag: `district` its district, `zone` its unit (a zone id or the district code), `node`
 * its node; `service` an SLA service id: `cloud`, `share`, `open` (the point's `platform` tag) or
 * `extranet:<unit>` (an extranet point of that unit).
 */
export interface RuleScope {
  district?: string;
  zone?: string;
  node?: string;
  service?: string;
}

export interface AlertRule {
  id: string;
  name: string;
  metric: string;
  scope: RuleScope;
  comparison: Comparison;
  threshold: number;
  /**
   * Hysteresis: once firing, the alert resolves only when the value no longer satisfies the
   * comparison against this level (e.g. `>= 50` firing, resolve 45: resolves below 45). Null: the
   * threshold itself. Only for ordering comparisons.
   */
  resolveThreshold: number | null;
  forMs: number;
  keepFiringMs: number;
  severity: Severity;
  /** Escalate a firing alert not acknowledged after this long (time in maintenance not counted). */
  escalateAfterMs: number | null;
  enabled: boolean;
  source: string;
  createdAt: number;
  updatedAt: number;
}

const SCOPE_VALUE = z.string().trim().min(1).max(128);

export const RuleScopeSchema = z
  .object({
    district: SCOPE_VALUE.refine((d) => d === 'all' || findUnit(d)?.kind === 'district', { message: 'district must be all or a district code such as 520103' }).optional(),
    zone: SCOPE_VALUE.refine((z) => z === 'all' || findUnit(z) !== undefined, { message: 'zone must be all or a unit code such as gy-hitech or 520103' }).optional(),
    node: SCOPE_VALUE.optional(),
    service: SCOPE_VALUE.refine((s) => s === 'all' || (PLATFORMS as readonly string[]).includes(s) || /^extranet:[A-Za-z0-9_-]+$/.test(s), {
      message: 'service must be all, cloud, share, open or extranet:<unit>',
    }).optional(),
  })
  .strict();

const DURATION_MS = z.number().int('must be whole milliseconds').min(0).max(30 * 86_400_000);

/** A rule as the REST API takes it (POST; PUT takes the same with every field optional). */
export const RuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    metric: z.string().max(100).refine((m) => METRIC_NAME.test(m), { message: 'metric must look like net.latency_ms' }),
    scope: RuleScopeSchema.default({}),
    comparison: z.enum(COMPARISONS),
    threshold: z.number().finite(),
    resolveThreshold: z.number().finite().nullable().default(null),
    forMs: DURATION_MS.default(0),
    keepFiringMs: DURATION_MS.default(0),
    severity: z.enum(SEVERITIES),
    escalateAfterMs: DURATION_MS.min(1000).nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .strict();
export type RuleInput = z.infer<typeof RuleInputSchema>;

/** Problems of a rule the schema cannot see field by field; empty when it is sound. */
export function ruleProblems(r: Pick<AlertRule, 'comparison' | 'threshold' | 'resolveThreshold'>): string[] {
  if (r.resolveThreshold === null) return [];
  switch (r.comparison) {
    case '>':
    case '>=':
      return r.resolveThreshold <= r.threshold ? [] : [`resolveThreshold must be at most threshold for ${r.comparison}`];
    case '<':
    case '<=':
      return r.resolveThreshold >= r.threshold ? [] : [`resolveThreshold must be at least threshold for ${r.comparison}`];
    default:
      return [`resolveThreshold needs an ordering comparison (> >= < <=), not ${r.comparison}`];
  }
}

export function compare(v: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '>': return v > limit;
    case '>=': return v >= limit;
    case '<': return v < limit;
    case '<=': return v <= limit;
    case '==': return v === limit;
    case '!=': return v !== limit;
  }
}

const isAll = (v: string | undefined) => v === undefined || v === 'all';

/** Whether a point with these tags is in the rule's scope. Called per point: string compares only. */
export function scopeMatches(scope: RuleScope, tags: Tags): boolean {
  if (!isAll(scope.district) && tags.district !== scope.district) return false;
  if (!isAll(scope.zone) && tags.unit !== scope.zone) return false;
  if (!isAll(scope.node) && tags.node !== scope.node) return false;
  const s = scope.service;
  if (!isAll(s)) {
    if (s!.startsWith('extranet:')) {
      if (tags.platform !== undefined || tags.unit !== s!.slice(9)) return false;
    } else if (tags.platform !== s) return false;
  }
  return true;
}

const MIN = 60_000;

/** The rules seeded at first start: DESIGN "Metrics" (warning / critical over 5 minutes), down, collector lost. */
export function defaultRules(now: number): AlertRule[] {
  const base = { scope: {}, keepFiringMs: 0, enabled: true, source: 'seed', createdAt: now, updatedAt: now };
  const rules: AlertRule[] = [];
  for (const t of DEFAULT_THRESHOLDS) {
    const above = t.direction === 'above';
    const op: Comparison = above ? '>=' : '<=';
    for (const level of ['critical', 'warning'] as const) {
      const threshold = t[level];
      // Hysteresis of 10 % of the threshold (for a "below" metric, of the way to 100 %).
      const margin = above ? threshold * 0.1 : Math.min((100 - threshold) * 0.5, threshold * 0.01);
      rules.push({
        ...base,
        id: `default-${t.metric.replace('.', '-')}-${level}`,
        name: `${t.metric} ${level}`,
        metric: t.metric,
        comparison: op,
        threshold,
        resolveThreshold: round(above ? threshold - margin : threshold + margin),
        forMs: 5 * MIN,
        severity: level === 'critical' ? 'P2' : 'P3',
        escalateAfterMs: level === 'critical' ? 30 * MIN : null,
      });
    }
  }
  for (const m of ['net.up', 'share.up', 'open.up']) {
    rules.push({
      ...base,
      id: `default-${m.replace('.', '-')}-down`,
      name: m === 'net.up' ? 'node down' : `${m.split('.')[0]} platform down`,
      metric: m,
      comparison: '==',
      threshold: 0,
      resolveThreshold: null,
      forMs: MIN,
      keepFiringMs: MIN,
      severity: 'P1',
      escalateAfterMs: 15 * MIN,
    });
  }
  rules.push({
    ...base,
    id: 'default-collector-lost',
    name: 'collector lost',
    metric: COLLECTOR_SILENT_METRIC,
    comparison: '>',
    threshold: COLLECTOR_LOST_AFTER_MS / 1000,
    resolveThreshold: null,
    forMs: 0,
    severity: 'P2',
    escalateAfterMs: 30 * MIN,
  });
  rules.push(cardinalityRule(now));
  return rules;
}

/**
 * "cardinality limit hit": a collector sends new nodes or series past the limits. P2 as a lost
 * collector: what it refuses is not monitored (a misconfigured agent, or a flood kept out).
 */
export function cardinalityRule(now: number): AlertRule {
  return {
    id: CARDINALITY_RULE_ID,
    name: 'cardinality limit hit',
    metric: CARDINALITY_REFUSED_METRIC,
    scope: {},
    comparison: '>',
    threshold: 0,
    resolveThreshold: null,
    forMs: 0,
    keepFiringMs: 0,
    severity: 'P2',
    escalateAfterMs: 30 * MIN,
    enabled: true,
    source: 'seed',
    createdAt: now,
    updatedAt: now,
  };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
