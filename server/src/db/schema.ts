import type { SecuritySchema } from '../security/security.tables.js';
import type { MigrationSchema } from '../migration/migration.tables.js';
import type { TopologySchema } from '../topology/topology.tables.js';
import type { AlertsSchema } from '../alerts/alerts.tables.js';

import type { SlaSchema } from '../sla/sla.tables.js';
import type { NodesSchema } from '../nodes/nodes.tables.js';
/**
 * The relational schema as Kysely sees it: the core tables here, each domain module's tables in
 * its own `*.tables.ts`, joined below. A module adds its interface to `Schema` with one line.
 */
export interface CollectorTable {
  id: string;
  district: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  /** What the collector says it is (its User-Agent), e.g. `zhuyun-collector/0.1.0`. */
  version: string | null;
  /** Server time of its last accepted request. */
  last_seen: number | null;
  /** Units it may report besides its district: a JSON array of codes, or '*'; null: none. */
  units: string | null;
  /** Its clock minus the server's at its last batch, ms (flushed with last_seen). */
  clock_skew_ms: number | null;
}

/** The unit a node was first seen in: a point never moves it elsewhere (ingest/node-units.store.ts). */
export interface NodeUnitTable {
  node: string;
  unit: string;
  since: number;
}

export interface IngestBatchTable {
  collector: string;
  batch: string;
  received_at: number;
  accepted: number;
}

/** One-time work claimed by one instance (db/claims.ts). */
export interface ClaimTable {
  key: string;
  holder: string;
  at: number;
}

export interface CoreSchema {
  collectors: CollectorTable;
  ingest_batches: IngestBatchTable;
  claims: ClaimTable;
  node_units: NodeUnitTable;
}

export type Schema = CoreSchema & TopologySchema & SecuritySchema & AlertsSchema & MigrationSchema & SlaSchema & NodesSchema;
