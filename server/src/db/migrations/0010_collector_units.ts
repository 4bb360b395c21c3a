import type { Kysely, Migration } from 'kysely';

/**
 * Issue 13 "A collector writes only where it stands": the units a collector may report besides its
 * district (JSON array, or '*'), its last estimated clock skew, and the unit each node was first
 * seen in (a point never moves a node to another unit; an admin does).
 */
export const m0010: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').addColumn('units', 'text').execute();
    await db.schema.alterTable('collectors').addColumn('clock_skew_ms', 'bigint').execute();
    await db.schema
      .createTable('node_units')
      .addColumn('node', 'text', (c) => c.primaryKey())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
  },
};
