import type { SecuritySchema } from '../security/security.tables.js';
import type { MigrationSchema } from '../migration/migration.tables.js';
import type { TopologySchema } from '../topology/topology.tables.js';
import type { AlertsSchema } from '../alerts/alerts.tables.js';

import type { SlaSchema } from '../sla/sla.tables.js';
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
}

export type Schema = CoreSchema & TopologySchema & SecuritySchema & AlertsSchema & MigrationSchema & SlaSchema;
