import type { Migration } from 'kysely';
import { m0001 } from './0001_collectors_and_batches.js';
import { m0002 } from './0002_collector_last_seen.js';
import { m0004 } from './0004_sla.js';

/**
 * Every migration, in order of its name, written in Kysely's schema builder so that one set serves
 * SQLite and PostgreSQL. Never edit a released one: add the next file and one line here.
 * Numbers taken by modules in progress: 0003 alerts, 0004 sla, 0005 migration inventory,
 * 0006 topology.
 */
export const migrations: Record<string, Migration> = {
  '0001_collectors_and_batches': m0001,
  '0002_collector_last_seen': m0002,
  '0004_sla': m0004,
};
