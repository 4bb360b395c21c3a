import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type DatabaseLocation, type Db } from '../../server/src/db/database.js';
import { NodeUnitsStore } from '../../server/src/ingest/node-units.store.js';
import type { NodeFields } from '../../server/src/nodes/nodes.csv.js';
import { NodesStore } from '../../server/src/nodes/nodes.store.js';
import { relationalBackends } from '../support/postgres.js';

/**
 * The node registry's store on SQLite and PostgreSQL: write and read back (the unit joined from
 * node_units, one truth with ingest's placement), update, states and the refused/retired set.
 */
const backends = await relationalBackends('nodes');
const T0 = 1_800_000_000_000;

const node = (id: string, over: Partial<NodeFields> = {}): NodeFields => ({
  id, name: `节点${id}`, level: 'township', parent: null, unit: '520102', adminCode: '520102001', department: null, address: null, operator: null, contract: null, state: 'active', ...over,
});

describe.each(backends)('node registry store on %s', (_name, makeBackend) => {
  let backend: { location: DatabaseLocation; cleanup(): Promise<void> };
  let db: Db;
  const clock = { t: T0, now() { return this.t; } };
  let store: NodesStore;

  beforeAll(async () => {
    backend = await makeBackend();
    db = await openDatabase(backend.location);
    store = new NodesStore(db, clock);
    await store.loadBlocked();
  });
  afterAll(async () => {
    await db?.destroy();
    await backend?.cleanup();
  });

  it('writes nodes with their units into node_units, and reads them back joined', async () => {
    expect(await store.isEmpty()).toBe(true);
    const units = new NodeUnitsStore(db, clock);
    // Ingest placed `a` in 520102 before the registry knew it.
    await units.place(new Map([['a', '520102']]));
    const moved = await store.write([
      { before: null, after: node('a', { unit: '520103', name: '新华路街道' }) },
      { before: null, after: node('b', { parent: 'a', adminCode: null, level: 'village', unit: null }) },
    ]);
    expect(moved).toEqual(['a']);
    units.forget(moved);
    // The registry's unit and ingest's placement agree: node_units says 520103 now.
    expect(await units.unitOf('a')).toBe('520103');
    expect(await store.get('a')).toMatchObject({ id: 'a', name: '新华路街道', unit: '520103', level: 'township', adminCode: '520102001', state: 'active', createdAt: T0, updatedAt: T0 });
    expect(await store.get('b')).toMatchObject({ parent: 'a', unit: null, level: 'village', adminCode: null });
    expect((await store.all()).map((n) => n.id)).toEqual(['a', 'b']);
    expect(await store.isEmpty()).toBe(false);
  });

  it('updates a node (created_at kept), and moves its unit only when it changes', async () => {
    clock.t = T0 + 1000;
    const before = (await store.get('a'))!;
    const moved = await store.write([{ before, after: { ...before, address: '贵阳市南明区新华路1号' } }]);
    expect(moved).toEqual([]);
    expect(await store.get('a')).toMatchObject({ address: '贵阳市南明区新华路1号', createdAt: T0, updatedAt: T0 + 1000, unit: '520103' });
  });

  it('keeps the set of retired and refused nodes for ingest, also as another instance reads it', async () => {
    await store.setState('a', 'retired', 'replaced by b');
    await store.setState('rogue-1', 'refused', 'not ours');
    expect(store.blocked('a')).toEqual({ state: 'retired', reason: 'replaced by b' });
    expect(await store.get('rogue-1')).toMatchObject({ name: 'rogue-1', state: 'refused', stateReason: 'not ours', stateAt: T0 + 1000 });
    const other = new NodesStore(db, clock);
    await other.loadBlocked();
    expect(other.blocked('rogue-1')).toEqual({ state: 'refused', reason: 'not ours' });
    expect(other.blocked('b')).toBeUndefined();
    await store.setState('rogue-1', 'active', null, { name: '接受的节点' });
    expect(store.blocked('rogue-1')).toBeUndefined();
    expect(await store.get('rogue-1')).toMatchObject({ name: '接受的节点', state: 'active', stateReason: null });
  });
});
