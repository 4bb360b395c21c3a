import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The project machine's PostgreSQL (trust auth, database `test`); CI starts it when down. */
export const PG_BASE_URL = process.env.ZHUYUN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers. Outside CI a missing server is said loudly and the suite skips;
 * under CI=true the suite runs and fails.
 */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    if (process.env.CI === 'true') return true;
    console.warn(`\n*** PostgreSQL not reachable at ${PG_BASE_URL} (${(err as Error).message}): PostgreSQL tests skipped ***\n`);
    return false;
  }
}

/** A schema of its own for one test file: a URL whose connections use it, and its removal. */
export async function freshSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `zhuyun_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_BASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${PG_BASE_URL}${PG_BASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: PG_BASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** A relational backend for one test file: where it is (for openDatabase), the server's env, its removal. */
export interface RelationalBackend {
  location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
  env: { DATABASE_URL: string };
  cleanup(): Promise<void>;
}

/**
 * The backends a "same tests on SQLite and PostgreSQL" file runs on, for `describe.each`: a fresh
 * SQLite file in a temp dir (named after `prefix`) and, when PostgreSQL answers (always under CI),
 * a fresh schema of the local PostgreSQL.
 */
export async function relationalBackends(prefix: string): Promise<Array<[string, () => Promise<RelationalBackend>]>> {
  const out: Array<[string, () => Promise<RelationalBackend>]> = [
    [
      'sqlite',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), `zhuyun-${prefix}-`));
        const path = join(dir, 'zhuyun.sqlite');
        return { location: { kind: 'sqlite', path }, env: { DATABASE_URL: `sqlite:${path}` }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    ],
  ];
  if (await postgresAvailable()) {
    out.push([
      'postgres',
      async () => {
        const s = await freshSchema();
        return { location: { kind: 'postgres', url: s.url }, env: { DATABASE_URL: s.url }, cleanup: s.drop };
      },
    ]);
  }
  return out;
}
