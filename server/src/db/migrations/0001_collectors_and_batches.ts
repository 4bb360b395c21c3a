import type { Kysely, Migration } from 'kysely';

export const m0001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('collectors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('district', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createTable('ingest_batches')
      .addColumn('collector', 'text', (c) => c.notNull())
      .addColumn('batch', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('accepted', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('ingest_batches_pk', ['collector', 'batch'])
      .execute();
    await db.schema.createIndex('ingest_batches_received').on('ingest_batches').column('received_at').execute();
  },
};
