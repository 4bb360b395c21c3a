import type { Kysely, Migration } from 'kysely';

/** One-time work claimed by one instance of several (first-start seeds of the demo): see db/claims.ts. */
export const m0009: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('claims')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
