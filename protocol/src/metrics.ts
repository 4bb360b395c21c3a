/**
 * Metric names (`<system>.<quantity>_<unit>`) and the default thresholds of DESIGN.md.
 * Names outside this list are accepted when they follow the pattern: probes may forward series of
 * their own (the prometheus probe, Telegraf over line protocol).
 */
export const METRIC_NAME = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
export const METRIC_NAME_MAX = 100;

export const KNOWN_METRICS = [
  // DESIGN.md "Metrics"
  'net.latency_ms', 'net.loss_pct', 'net.jitter_ms', 'net.up',
  'net.if_in_bps', 'net.if_out_bps', 'net.if_util_pct', 'net.if_errors_total',
  'host.cpu_pct', 'host.mem_pct', 'host.disk_pct',
  'cloud.systems_running',
  // cloud_inventory, one series per system listed (1 running, 0 listed in another state): evidence for the migration inventory
  'cloud.system_running',
  'share.up', 'share.api_calls_total', 'share.records_total', 'share.success_pct', 'share.latency_ms',
  'share.catalog_resources',
  'open.up', 'open.api_calls_total', 'open.downloads_total', 'open.datasets', 'open.latency_ms',
  // What the collector probes add (collectors/src/probes/*/README.md): snmp
  'net.if_discards_total', 'net.if_up', 'net.uptime_s',
  // host (and the prometheus probe's node_exporter preset)
  'host.net_in_bps', 'host.net_out_bps',
  // http
  'http.up', 'http.status_code', 'http.latency_ms', 'http.body_match', 'http.cert_days_left',
  // The agent's self-metrics (collectors/src/agent.ts SELF_METRICS); not node health.
  'collector.up', 'collector.points_total', 'collector.spool_points', 'collector.spool_bytes',
  'collector.dropped_total', 'collector.rejected_total', 'collector.send_errors_total', 'collector.last_success_age_s',
] as const;
export type KnownMetric = (typeof KNOWN_METRICS)[number];

export interface Threshold {
  metric: KnownMetric;
  warning: number;
  critical: number;
  /** `above`: higher is worse (latency); `below`: lower is worse (success rate). */
  direction: 'above' | 'below';
}

/**
 * DESIGN.md "Metrics": warning / critical. Sharing and open latencies are given there in seconds.
 * The http probe's two come from research/domain.md and the issue that added the probe (issue 4).
 */
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
  // research/domain.md §3.4, "Page and API response time" measured by probes: p95 > 3 s / > 8 s.
  { metric: 'http.latency_ms', warning: 3000, critical: 8000, direction: 'above' },
  // A certificate renewed less than 30 days ahead is late; 7 days is the last week to act.
  { metric: 'http.cert_days_left', warning: 30, critical: 7, direction: 'below' },
];

/**
 * Metrics whose value 0 means the thing is unreachable or out of service. Not `net.if_up`: an
 * interface that is down is often simply unused, which says nothing about the node.
 */
export const UP_METRICS = ['net.up', 'share.up', 'open.up', 'http.up'] as const;

/** The platforms of Article 8 beside the extranet; a node tagged `platform` belongs to one. */
export const PLATFORMS = ['cloud', 'share', 'open'] as const;
export type Platform = (typeof PLATFORMS)[number];
