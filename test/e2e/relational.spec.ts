import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CollectorTokensService } from '../../server/src/auth/collector-tokens.service.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../../server/src/common/errors.js';
import { openDatabase, type Db } from '../../server/src/db/database.js';
import { relationalBackends, type RelationalBackend } from '../support/postgres.js';
import { startTestServer } from '../support/server.js';

/** The relational state behaves the same on SQLite and PostgreSQL: the same tests on both. */
const backends = await relationalBackends('rel');

describe.each(backends)('relational state on %s', (_name, makeBackend) => {
  let backend: RelationalBackend;
  let db: Db;
  const clock = { now: () => 1_800_000_000_000 };

  beforeAll(async () => {
    backend = await makeBackend();
    db = await openDatabase(backend.location);
  });
  afterAll(async () => {
    await db?.destroy();
    await backend?.cleanup();
  });

  it('runs its migrations once: opening again finds nothing to do', async () => {
    const again = await openDatabase(backend.location);
    await again.destroy();
  });

  it('collector tokens: add, verify, refuse duplicates, replace, revoke', async () => {
    const tokens = new CollectorTokensService(db, clock);
    const t1 = await tokens.add('kaiyang-edge-01', '520121');
    expect(await tokens.verify(`Bearer ${t1}`)).toEqual({ id: 'kaiyang-edge-01', district: '520121' });
    await expect(tokens.add('kaiyang-edge-01', '520121')).rejects.toBeInstanceOf(ConflictError);
    const t2 = await tokens.add('kaiyang-edge-01', '520121', { replace: true });
    await expect(tokens.verifyToken(t1)).rejects.toThrow(/unknown collector token/);
    expect((await tokens.verifyToken(t2)).id).toBe('kaiyang-edge-01');
    await tokens.revoke('kaiyang-edge-01');
    await expect(tokens.verifyToken(t2)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(tokens.revoke('kaiyang-edge-01')).rejects.toBeInstanceOf(NotFoundError);
    const [row] = await tokens.list();
    expect(row).toEqual({ id: 'kaiyang-edge-01', district: '520121', createdAt: clock.now(), revokedAt: clock.now(), version: null, lastSeen: null });
    tokens.recordSeen('kaiyang-edge-01', 'zhuyun-collector/9.9');
    await tokens.flushSeen();
    const fresh = new CollectorTokensService(db, clock); // what another process would read
    expect((await fresh.list())[0]).toMatchObject({ version: 'zhuyun-collector/9.9', lastSeen: clock.now() });
  });

  it('a server on it acknowledges a repeated batch without storing it twice', async () => {
    const server = await startTestServer(backend.env);
    try {
      const token = await server.addCollector('xiuwen-edge-01', '520123');
      const body = JSON.stringify({
        collector: 'xiuwen-edge-01',
        batch: 'xiuwen-edge-01:7',
        points: [{ metric: 'net.latency_ms', ts: Date.now() - 1000, value: 4, tags: { district: '520123', node: 'xw-core-1' } }],
      });
      const post = () => fetch(`${server.url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      expect(await (await post()).json()).toEqual({ accepted: 1, rejected: [] });
      expect(await (await post()).json()).toEqual({ accepted: 1, rejected: [], duplicate: true });
      const ready = await (await fetch(`${server.url}/readyz`)).json();
      expect(ready.checks.database.ok).toBe(true);
    } finally {
      await server.close();
    }
  });
});
