import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NodeUnitsStore } from '../../server/src/ingest/node-units.store.js';
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
    expect(await tokens.verify(`Bearer ${t1}`)).toEqual({ id: 'kaiyang-edge-01', district: '520121', units: new Set(['520121']) });
    await expect(tokens.add('kaiyang-edge-01', '520121')).rejects.toBeInstanceOf(ConflictError);
    const t2 = await tokens.add('kaiyang-edge-01', '520121', { replace: true });
    await expect(tokens.verifyToken(t1)).rejects.toThrow(/unknown collector token/);
    expect((await tokens.verifyToken(t2)).id).toBe('kaiyang-edge-01');
    await tokens.revoke('kaiyang-edge-01');
    await expect(tokens.verifyToken(t2)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(tokens.revoke('kaiyang-edge-01')).rejects.toBeInstanceOf(NotFoundError);
    const [row] = await tokens.list();
    expect(row).toEqual({ id: 'kaiyang-edge-01', district: '520121', createdAt: clock.now(), revokedAt: clock.now(), version: null, lastSeen: null, units: [], clockSkewMs: null });
    tokens.recordSeen('kaiyang-edge-01', 'zhuyun-collector/9.9');
    tokens.recordClockSkew('kaiyang-edge-01', -300_000);
    await tokens.flushSeen();
    const fresh = new CollectorTokensService(db, clock); // what another process would read
    expect((await fresh.list())[0]).toMatchObject({ version: 'zhuyun-collector/9.9', lastSeen: clock.now(), clockSkewMs: -300_000 });
  });

  it('collector units: stored, listed, and the identity allows its district plus them', async () => {
    const tokens = new CollectorTokensService(db, clock);
    const city = await tokens.add('city-01', '520115', { units: ['gy-hitech', '520103', '520103'] });
    const all = await tokens.add('platforms-01', '520115', { units: '*' });
    await expect(tokens.add('bad-01', '520115', { units: ['520199'] })).rejects.toThrow(/units: unknown unit "520199"/);
    expect(await tokens.verifyToken(city)).toEqual({ id: 'city-01', district: '520115', units: new Set(['520115', '520103', 'gy-hitech']) });
    expect((await tokens.verifyToken(all)).units).toBe('*');
    const listed = await new CollectorTokensService(db, clock).list();
    expect(listed.find((c) => c.id === 'city-01')?.units).toEqual(['520103', 'gy-hitech']);
    expect(listed.find((c) => c.id === 'platforms-01')?.units).toBe('*');
  });

  it('node units: first seen places a node; a point does not move it; an admin does', async () => {
    const nodes = new NodeUnitsStore(db, clock);
    expect(await nodes.place(new Map([['nm-core-1', '520102'], ['yy-core-1', '520103']]))).toEqual(new Map([['nm-core-1', '520102'], ['yy-core-1', '520103']]));
    const other = new NodeUnitsStore(db, clock); // another instance, cold cache
    expect(await other.place(new Map([['nm-core-1', '520103']]))).toEqual(new Map([['nm-core-1', '520102']]));
    expect(await other.move('nm-core-1', '520103')).toBe('520102');
    // The first instance's cache said 520102: a point naming 520103 makes it read again.
    expect(await nodes.place(new Map([['nm-core-1', '520103']]))).toEqual(new Map([['nm-core-1', '520103']]));
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
