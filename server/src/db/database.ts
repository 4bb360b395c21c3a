import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The relational state (collectors, later users, inventory, rules...), through Kysely. */
export const DATABASE = Symbol('DATABASE');

export interface CollectorTable {
  id: string;
  district: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface IngestBatchTable {
  collector: string;
  batch: string;
  received_at: number;
  accepted: number;
}

export interface Schema {
  collectors: CollectorTable;
  ingest_batches: IngestBatchTable;
}

export type Db = Kysely<Schema>;

/**
 * Migrations, in order, written in Kysely's schema builder so that one set serves SQLite now and
 * PostgreSQL later. Never edit a released one: add the next.
 */
const migrations: Record<string, Migration> = {
  '0001_collectors_and_batches': {
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
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Opens the SQLite file (WAL) and runs pending migrations. */
export async function openDatabase(path: string): Promise<Db> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    await db.destroy();
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return db;
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
