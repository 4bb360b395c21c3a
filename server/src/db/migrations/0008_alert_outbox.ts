import type { Kysely, Migration } from 'kysely';

/**
 * Notifications not yet delivered nor given up: one row per (notice, channel), written before the
 * first attempt and removed after the last, so that retries survive a restart or a leader change.
 */
export const m0008: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('alert_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('notice', 'text', (c) => c.notNull())
      .addColumn('next_attempt', 'integer', (c) => c.notNull())
      .addColumn('next_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
