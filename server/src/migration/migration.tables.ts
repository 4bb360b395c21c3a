/** The migration inventory's tables (joined into db/schema.ts). Days are `YYYY-MM-DD` text, instants epoch ms. */
export interface MigrationAgencyTable {
  id: string;
  name: string;
  /** District or zone code, or 520100 for a city-level agency. */
  unit: string;
  created_at: number;
  updated_at: number;
}

export interface MigrationSystemTable {
  id: string;
  name: string;
  agency_id: string;
  district: string;
  track: string;
  funding_mode: string;
  om_cost_yuan: number;
  /** 1 or 0 (the same on SQLite and PostgreSQL). */
  fiscal_om: number;
  target_date: string | null;
  state: string;
  d_inventoried: string | null;
  d_assessed: string | null;
  d_applied: string | null;
  d_accepted: string | null;
  d_verified: string | null;
  d_migrating: string | null;
  d_trial: string | null;
  d_migrated: string | null;
  d_legacy_decommissioned: string | null;
  d_exempt: string | null;
  d_retired: string | null;
  d_on_hold: string | null;
  exempt_basis: string | null;
  held_from: string | null;
  note: string | null;
  created_at: number;
  updated_at: number;
}

/** One changed field of one change: who, when, before, after. Never updated or deleted. */
export interface MigrationHistoryTable {
  id: string;
  /** Order of the entries (monotonic per process, seeded from the clock so restarts keep order). */
  seq: number;
  entity: 'system' | 'agency';
  entity_id: string;
  /** Groups the fields changed together. */
  change_id: string;
  at: number;
  actor: string;
  /** `api`, `import` or `seed`. */
  source: string;
  field: string;
  before: string | null;
  after: string | null;
}

export interface MigrationSchema {
  migration_agencies: MigrationAgencyTable;
  migration_systems: MigrationSystemTable;
  migration_history: MigrationHistoryTable;
}
