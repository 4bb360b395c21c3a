/**
 * The alert module's relational tables (migration 0003). Times are epoch ms in `bigint` columns
 * (PostgreSQL hands them back as strings: read them through `Number`). JSON columns are text.
 */
export interface AlertRuleTable {
  id: string;
  name: string;
  metric: string;
  /** JSON of `RuleScope`. */
  scope: string;
  comparison: string;
  threshold: number;
  resolve_threshold: number | null;
  for_ms: number;
  keep_firing_ms: number;
  severity: string;
  escalate_after_ms: number | null;
  enabled: number;
  /** `seed` for the defaults, else who made it. */
  source: string;
  created_at: number;
  updated_at: number;
}

export interface AlertTable {
  id: string;
  rule_id: string;
  series: string;
  metric: string;
  district: string;
  unit: string;
  node: string;
  /** JSON of the series' tags. */
  tags: string;
  severity: string;
  state: string;
  value: number | null;
  active_at: number;
  fired_at: number | null;
  resolved_at: number | null;
  updated_at: number;
  acked_by: string | null;
  acked_at: number | null;
  ack_comment: string | null;
  escalated_at: number | null;
  /** `silence:<id>` or `behind:<node>` while notifications are held back, else null. */
  suppressed: string | null;
  /** JSON of the machine's bookkeeping (last sample, escalation clock), to resume after a restart. */
  memo: string;
}

export interface AlertTransitionTable {
  id: string;
  alert_id: string;
  rule_id: string;
  /** `state` (from → to), `ack`, `escalation`. */
  kind: string;
  from_state: string;
  to_state: string;
  at: number;
  /** Order inside one millisecond. */
  seq: number;
  value: number | null;
  note: string | null;
}

export interface SilenceTable {
  id: string;
  /** JSON of `SilenceMatchers`. */
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
}

export interface NotificationChannelTable {
  id: string;
  name: string;
  kind: string;
  url: string;
  secret: string | null;
  /** JSON arrays; empty means all. */
  events: string;
  severities: string;
  districts: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface AlertDeliveryTable {
  id: string;
  alert_id: string;
  channel_id: string;
  /** `firing`, `resolved`, `escalation`. */
  event: string;
  attempt: number;
  /** `ok`, `retrying` (failed, another attempt follows), `failed` (given up). */
  status: string;
  http_status: number | null;
  error: string | null;
  at: number;
}

/** A notification still to deliver (migration 0008): resumed after a restart or by a new leader. */
export interface AlertOutboxTable {
  id: string;
  channel_id: string;
  /** The AlertNotice as JSON. */
  notice: string;
  next_attempt: number;
  next_at: number;
  created_at: number;
}

export interface AlertMetaTable {
  key: string;
  value: string;
}

export interface AlertsSchema {
  alert_rules: AlertRuleTable;
  alerts: AlertTable;
  alert_transitions: AlertTransitionTable;
  alert_outbox: AlertOutboxTable;
  silences: SilenceTable;
  notification_channels: NotificationChannelTable;
  alert_deliveries: AlertDeliveryTable;
  alert_meta: AlertMetaTable;
}
