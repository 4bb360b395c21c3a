import type { Migration } from 'kysely';
import { m0001 } from './0001_collectors_and_batches.js';
import { m0002 } from './0002_collector_last_seen.js';
import { m0003 } from './0003_alerts.js';
import { m0004 } from './0004_sla.js';
import { m0005 } from './0005_migration_inventory.js';
import { m0006 } from './0006_topology.js';
import { m0007 } from './0007_security.js';
import { m0008 } from './0008_alert_outbox.js';
import { m0009 } from './0009_claims.js';
import { m0010 } from './0010_collector_units.js';
import { m0011 } from './0011_node_registry.js';

/**
 * Every migration, in order of its name, written in Kysely's schema builder so that one set serves
 * SQLite and PostgreSQL. Never edit a released one: add the next file and one line here.
 * Kysely runs them in name order and allows one that lands after a later-numbered one ran.
 */
export const migrations: Record<string, Migration> = {
  '0001_collectors_and_batches': m0001,
  '0002_collector_last_seen': m0002,
  '0003_alerts': m0003,
  '0004_sla': m0004,
  '0005_migration_inventory': m0005,
  '0006_topology': m0006,
  '0007_security': m0007,
  '0008_alert_outbox': m0008,
  '0009_claims': m0009,
  '0010_collector_units': m0010,
  '0011_node_registry': m0011,
};
