import type { Kysely, Migration } from 'kysely';

/**
 * Issue 14 "Nodes are things with names": the node registry. The unit is not here: node_units
 * (0010) holds it, one truth for ingest's placement and the registry alike.
 */
export const m0011: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('nodes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('level', 'text')
      .addColumn('parent', 'text')
      .addColumn('admin_code', 'text')
      .addColumn('department', 'text')
      .addColumn('address', 'text')
      .addColumn('operator', 'text')
      .addColumn('contract', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('state_reason', 'text')
      .addColumn('state_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
