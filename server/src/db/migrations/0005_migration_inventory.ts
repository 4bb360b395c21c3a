import type { Kysely, Migration } from 'kysely';

const STATES = ['inventoried', 'assessed', 'applied', 'accepted', 'verified', 'migrating', 'trial', 'migrated', 'legacy_decommissioned', 'exempt', 'retired', 'on_hold'];

/** Migration inventory (Article 11) and onboarding (Article 13): agencies, systems, history. */
export const m0005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('migration_agencies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('migration_agencies_unit_name', ['unit', 'name'])
      .execute();
    let systems = db.schema
      .createTable('migration_systems')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('agency_id', 'text', (c) => c.notNull().references('migration_agencies.id'))
      .addColumn('district', 'text', (c) => c.notNull())
      .addColumn('track', 'text', (c) => c.notNull())
      .addColumn('funding_mode', 'text', (c) => c.notNull())
      .addColumn('om_cost_yuan', 'bigint', (c) => c.notNull())
      .addColumn('fiscal_om', 'integer', (c) => c.notNull())
      .addColumn('target_date', 'text')
      .addColumn('state', 'text', (c) => c.notNull());
    for (const s of STATES) systems = systems.addColumn(`d_${s}`, 'text');
    await systems
      .addColumn('exempt_basis', 'text')
      .addColumn('held_from', 'text')
      .addColumn('note', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('migration_systems_district').on('migration_systems').column('district').execute();
    await db.schema.createIndex('migration_systems_agency').on('migration_systems').column('agency_id').execute();
    await db.schema
      .createTable('migration_history')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('change_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .execute();
    await db.schema.createIndex('migration_history_entity').on('migration_history').columns(['entity', 'entity_id', 'seq']).execute();
  },
};
