import type { Kysely, Migration } from 'kysely';

export const m0002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').addColumn('version', 'text').execute();
    await db.schema.alterTable('collectors').addColumn('last_seen', 'bigint').execute();
  },
};
