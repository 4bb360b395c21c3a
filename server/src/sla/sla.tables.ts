/**
 * The SLA module's relational tables (migration 0004). Epoch ms in `bigint` columns (PostgreSQL
 * hands them back as strings: read them through Number()).
 */
export interface SlaNodeMinuteTable {
  service: string;
  minute: number;
  node: string;
  core: number;
  up_n: number;
  down_n: number;
  seen_n: number;
  success_sum: number;
  success_n: number;
}

/** One row per scored service minute: what the data said and what it counts as. */
export interface SlaMinuteTable {
  service: string;
  minute: number;
  observed: string;
  state: string;
  reason: string;
  scored_at: number;
}

export interface SlaStateTable {
  key: string;
  value: string;
}

export interface SlaContractTable {
  id: string;
  operator: string;
  name: string;
  services: string;
  target_pct: number;
  hours: string;
  min_outage_minutes: number;
  effective_from: number;
  created_at: number;
  updated_at: number;
}

export interface SlaIncidentTable {
  id: string;
  service: string;
  start_at: number;
  end_at: number;
  down_minutes: number;
  open: number;
  severity: string;
  updated_at: number;
}

export interface SlaAckTable {
  id: string;
  service: string;
  /** Set when acknowledged through the SLA API for one incident; null for an alert acknowledgement. */
  incident_id: string | null;
  at: number;
  by: string;
  source: string;
}

export interface SlaMaintenanceTable {
  id: string;
  title: string;
  services: string;
  districts: string;
  schedule: string;
  state: string;
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
}

export interface SlaReclassificationTable {
  id: string;
  service: string;
  from_at: number;
  to_at: number;
  state: string;
  reason: string;
  by: string;
  at: number;
}

export interface SlaSchema {
  sla_node_minutes: SlaNodeMinuteTable;
  sla_minutes: SlaMinuteTable;
  sla_state: SlaStateTable;
  sla_contracts: SlaContractTable;
  sla_incidents: SlaIncidentTable;
  sla_acks: SlaAckTable;
  sla_maintenance: SlaMaintenanceTable;
  sla_reclassifications: SlaReclassificationTable;
}
