import type { Kysely, Migration } from 'kysely';

export const m0006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('topology_nodes')
      .addColumn('node', 'text', (c) => c.primaryKey())
      .addColumn('parent', 'text')
      .addColumn('role', 'text')
      .addColumn('label', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
