/**
 * Metric names (`<system>.<quantity>_<unit>`) and the default thresholds of DESIGN.md.
 * Names outside this list are accepted when they follow the pattern: probes may forward series of
 * their own (the prometheus probe, Telegraf over line protocol).
 */
export const METRIC_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
export const METRIC_NAME_MAX = 100;

export const KNOWN_METRICS = [
  'net.latency_ms', 'net.loss_pct', 'net.jitter_ms', 'net.up',
  'net.if_in_bps', 'net.if_out_bps', 'net.if_util_pct', 'net.if_errors_total',
  'host.cpu_pct', 'host.mem_pct', 'host.disk_pct',
  'cloud.systems_running',
  'share.up', 'share.api_calls_total', 'share.records_total', 'share.success_pct', 'share.latency_ms',
  'share.catalog_resources',
  'open.up', 'open.api_calls_total', 'open.downloads_total', 'open.datasets', 'open.latency_ms',
] as const;
export type KnownMetric = (typeof KNOWN_METRICS)[number];

export interface Threshold {
  metric: KnownMetric;
  warning: number;
  critical: number;
  /** `above`: higher is worse (latency); `below`: lower is worse (success rate). */
  direction: 'above' | 'below';
}

/** DESIGN.md "Metrics": warning / critical. Sharing and open latencies are given there in seconds. */
export const DEFAULT_THRESHOLDS: readonly Threshold[] = [
  { metric: 'net.latency_ms', warning: 20, critical: 50, direction: 'above' },
  { metric: 'net.loss_pct', warning: 0.1, critical: 1, direction: 'above' },
  { metric: 'net.jitter_ms', warning: 10, critical: 30, direction: 'above' },
  { metric: 'net.if_util_pct', warning: 70, critical: 90, direction: 'above' },
  { metric: 'host.cpu_pct', warning: 80, critical: 95, direction: 'above' },
  { metric: 'host.mem_pct', warning: 85, critical: 95, direction: 'above' },
  { metric: 'host.disk_pct', warning: 80, critical: 90, direction: 'above' },
  { metric: 'share.success_pct', warning: 99, critical: 95, direction: 'below' },
  { metric: 'share.latency_ms', warning: 1000, critical: 3000, direction: 'above' },
  { metric: 'open.latency_ms', warning: 3000, critical: 8000, direction: 'above' },
];

/** Metrics whose value 0 means the thing is unreachable or out of service. */
export const UP_METRICS = ['net.up', 'share.up', 'open.up'] as const;

/** The platforms of Article 8 beside the extranet; a node tagged `platform` belongs to one. */
export const PLATFORMS = ['cloud', 'share', 'open'] as const;
export type Platform = (typeof PLATFORMS)[number];
