import type { Kysely, Migration } from 'kysely';

/** SLA: per-node facts, scored minutes, contracts, incidents, acknowledgements, windows, reclassifications. */
export const m0004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sla_node_minutes')
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('minute', 'bigint', (c) => c.notNull())
      .addColumn('node', 'text', (c) => c.notNull())
      .addColumn('core', 'integer', (c) => c.notNull())
      .addColumn('up_n', 'integer', (c) => c.notNull())
      .addColumn('down_n', 'integer', (c) => c.notNull())
      .addColumn('seen_n', 'integer', (c) => c.notNull())
      .addColumn('success_sum', 'double precision', (c) => c.notNull())
      .addColumn('success_n', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('sla_node_minutes_pk', ['service', 'minute', 'node'])
      .execute();
    await db.schema.createIndex('sla_node_minutes_minute').on('sla_node_minutes').column('minute').execute();
    await db.schema
      .createTable('sla_minutes')
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('minute', 'bigint', (c) => c.notNull())
      .addColumn('observed', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('scored_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('sla_minutes_pk', ['service', 'minute'])
      .execute();
    await db.schema.createIndex('sla_minutes_minute').on('sla_minutes').column('minute').execute();
    await db.schema
      .createTable('sla_state')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sla_contracts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('operator', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('services', 'text', (c) => c.notNull())
      .addColumn('target_pct', 'double precision', (c) => c.notNull())
      .addColumn('hours', 'text', (c) => c.notNull())
      .addColumn('min_outage_minutes', 'integer', (c) => c.notNull())
      .addColumn('effective_from', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('sla_incidents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('start_at', 'bigint', (c) => c.notNull())
      .addColumn('end_at', 'bigint', (c) => c.notNull())
      .addColumn('down_minutes', 'integer', (c) => c.notNull())
      .addColumn('open', 'integer', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sla_incidents_service_start').on('sla_incidents').columns(['service', 'start_at']).execute();
    await db.schema
      .createTable('sla_acks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sla_acks_service_at').on('sla_acks').columns(['service', 'at']).execute();
    await db.schema
      .createTable('sla_maintenance')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('services', 'text', (c) => c.notNull())
      .addColumn('districts', 'text', (c) => c.notNull())
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'bigint')
      .addColumn('note', 'text')
      .execute();
    await db.schema
      .createTable('sla_reclassifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('service', 'text', (c) => c.notNull())
      .addColumn('from_at', 'bigint', (c) => c.notNull())
      .addColumn('to_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sla_reclassifications_service').on('sla_reclassifications').columns(['service', 'from_at']).execute();
  },
};
