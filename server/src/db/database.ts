import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Dialect, type MigrationProvider } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Schema } from './schema.js';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The relational state (collectors, later users, inventory, rules...), through Kysely. */
export const DATABASE = Symbol('DATABASE');

export type { Schema } from './schema.js';
export type Db = Kysely<Schema>;

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Where the relational state lives: a SQLite file (the default) or a PostgreSQL URL. */
export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

function dialectFor(location: DatabaseLocation): Dialect {
  if (location.kind === 'postgres') {
    // A URL may carry `?options=-c search_path=<schema>` to keep deployments (and tests) apart.
    // Bounded waits: with the database away a request fails (503, see isUnavailable) within
    // seconds instead of hanging on a connect or a statement that never answers.
    const pool = new pg.Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: 5_000, query_timeout: 15_000 });
    // An idle connection the server ends (a restart, `pg_ctl stop -m fast`) is an 'error' event on
    // the pool: unhandled, it would crash the process. The pool drops that client by itself and
    // opens a new one at the next checkout; the requests made meanwhile fail with 503.
    pool.on('error', () => undefined);
    return new PostgresDialect({ pool });
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
  // "file is not a database" alone does not say which file: a damaged SQLite file is named.
  const named = (err: unknown) =>
    where.kind === 'sqlite'
      ? new Error(`relational database ${where.path} cannot be opened: ${(err as Error).message} (if the file is damaged, restore it from a backup)`, { cause: err })
      : err;
  let dialect: Dialect;
  try {
    dialect = dialectFor(where);
  } catch (err) {
    throw named(err);
  }
  const db = new Kysely<Schema>({ dialect });
  try {
    if (where.kind === 'postgres') {
      // Several instances starting together (docs/SCALE.md): Kysely creates its migration tables
      // before it takes its own lock, and two processes doing that at once fail. One at a time,
      // by a session lock on one connection.
      await db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
        try {
          // Kysely looks for its migration tables in every schema unless told which: with another
          // schema in the same database holding them (tests use a schema per run) it skips
          // creating its own and fails. The schema the connection uses (search_path) it is.
          const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(conn);
          await migrate(conn, rows[0]?.schema ?? undefined);
        } finally {
          await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
        }
      });
    } else {
      await migrate(db);
    }
  } catch (err) {
    await db.destroy();
    throw named(err);
  }
  return db;
}

/** Any constant: the advisory lock key that serialises migrations across instances. */
const MIGRATION_LOCK = 0x7a687579;

async function migrate(db: Kysely<Schema>, migrationTableSchema?: string): Promise<void> {
  // Unordered: a module's migration may land after a later-numbered one already ran on a deployment.
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true, migrationTableSchema }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
