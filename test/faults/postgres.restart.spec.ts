import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';

/**
 * Issue 9: "PostgreSQL restarted: requests fail cleanly with 503 during the outage and succeed
 * after." The server as its own process on a private PostgreSQL, stopped with `pg_ctl stop -m fast`
 * (every connection ended at once) and started again.
 */
const d = privatePostgresAvailable() ? describe : describe.skip;
const work = mkdtempSync(join(tmpdir(), 'zhuyun-fault-pg-'));

d('PostgreSQL restarted under a running server', () => {
  let pgsql: PrivatePostgres;
  let server: Awaited<ReturnType<typeof spawnServer>>;
  let token: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    pgsql = await startPrivatePostgres();
    env = { DATABASE_URL: pgsql.url, ZHUYUN_DATA_DIR: join(work, 'data') };
    server = await spawnServer(env);
    token = await adminToken(server.url, env);
  }, 60_000);
  afterAll(async () => {
    if (server) await killHard(server.child);
    pgsql?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  /** A request that needs the database: the session check and the collector list both read it. */
  async function timed(path: string): Promise<{ status: number; ms: number; body: { error?: { code: string } } }> {
    const t0 = Date.now();
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, ms: Date.now() - t0, body: (await res.json()) as { error?: { code: string } } };
  }

  it('answers 503 quickly while it is down, 200 again once it is back, and the process lives on', async () => {
    expect((await timed('/api/v1/collectors')).status).toBe(200);

    pgsql.stop();
    const during = [];
    for (let i = 0; i < 6; i++) during.push(await timed(i % 2 ? '/api/v1/collectors' : '/api/v1/auth/me'));
    for (const r of during) {
      expect(r.status).toBe(503); // not 500, not a hang
      expect(r.body.error?.code).toBe('unavailable');
      expect(r.ms).toBeLessThan(6_000);
    }
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(server.child.exitCode).toBeNull();

    pgsql.start();
    // The pool opens new connections at the next checkout: the first request after the start succeeds.
    const after = await timed('/api/v1/collectors');
    expect(after.status).toBe(200);
    expect((await timed('/api/v1/auth/me')).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    console.log(`postgres restart: during the outage ${during.map((r) => `${r.status}/${r.ms}ms`).join(', ')}; after ${after.status}/${after.ms}ms`);
  }, 60_000);
});
