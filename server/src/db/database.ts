import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Dialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
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
  /** What the collector says it is (its User-Agent), e.g. `zhuyun-collector/0.1.0`. */
  version: string | null;
  /** Server time of its last accepted request. */
  last_seen: number | null;
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

migrations['0002_collector_last_seen'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').addColumn('version', 'text').execute();
    await db.schema.alterTable('collectors').addColumn('last_seen', 'bigint').execute();
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Where the relational state lives: a SQLite file (the default) or a PostgreSQL URL. */
export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

function dialectFor(location: DatabaseLocation): Dialect {
  if (location.kind === 'postgres') {
    // A URL may carry `?options=-c search_path=<schema>` to keep deployments (and tests) apart.
    return new PostgresDialect({ pool: new pg.Pool({ connectionString: location.url, max: 10 }) });
  }
  if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
  const sqlite = new Database(location.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database: sqlite });
}

/**
 * Opens the relational database and runs pending migrations: the same migrations and the same
 * queries on SQLite and PostgreSQL. A path string means SQLite.
 */
export async function openDatabase(location: DatabaseLocation | string): Promise<Db> {
  const where = typeof location === 'string' ? ({ kind: 'sqlite', path: location } as const) : location;
  const db = new Kysely<Schema>({ dialect: dialectFor(where) });
  try {
    const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
