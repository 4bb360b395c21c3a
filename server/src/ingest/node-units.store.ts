import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { DATABASE, type Db } from '../db/database.js';

/** Nodes per query (SQLite's bound-parameter limit is far above; PostgreSQL's too). */
const CHUNK = 500;
/** The cache is only a cache (the table is the truth): past this many nodes it starts again. */
const CACHE_MAX = 200_000;

/**
 * The unit each node was first seen in (table `node_units`): a point never moves a node to another
 * unit (docs/SECURITY.md "A collector writes only where it stands"); an admin does (`move`). Held in
 * memory once read; a node whose point names another unit than the cached one is read again, so
 * a move made on another instance is seen at the next point from the new unit.
 */
@Injectable()
export class NodeUnitsStore {
  private readonly known = new Map<string, string>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * For each node → the unit its point names: the unit the node belongs to. A node never seen
   * before is registered in the unit its point names (first come, first placed; two instances
   * racing on one new node agree on the row that won). Idempotent.
   */
  async place(wanted: ReadonlyMap<string, string>): Promise<Map<string, string>> {
    const ask = [...wanted].filter(([node, unit]) => this.known.get(node) !== unit).map(([node]) => node);
    if (ask.length) {
      await this.read(ask);
      const fresh = ask.filter((node) => !this.known.has(node));
      if (fresh.length) {
        const since = this.clock.now();
        for (let i = 0; i < fresh.length; i += CHUNK) {
          const values = fresh.slice(i, i + CHUNK).map((node) => ({ node, unit: wanted.get(node)!, since }));
          await this.db.insertInto('node_units').values(values).onConflict((oc) => oc.column('node').doNothing()).execute();
        }
        await this.read(fresh);
      }
    }
    return new Map([...wanted.keys()].map((node) => [node, this.known.get(node) ?? wanted.get(node)!]));
  }

  /** The unit of a node; undefined when it was never seen. */
  async unitOf(node: string): Promise<string | undefined> {
    await this.read([node]);
    return this.known.get(node);
  }

  /** Places a node in `unit` (an admin's move); returns the unit it was in (undefined: new). */
  async move(node: string, unit: string): Promise<string | undefined> {
    const before = await this.unitOf(node);
    const since = this.clock.now();
    await this.db
      .insertInto('node_units')
      .values({ node, unit, since })
      .onConflict((oc) => oc.column('node').doUpdateSet({ unit, since }))
      .execute();
    this.known.set(node, unit);
    return before;
  }

  /** Drops cached units (the registry wrote these nodes' units in its own transaction). */
  forget(nodes: Iterable<string>): void {
    for (const n of nodes) this.known.delete(n);
  }

  private async read(nodes: readonly string[]): Promise<void> {
    if (this.known.size > CACHE_MAX) this.known.clear();
    for (let i = 0; i < nodes.length; i += CHUNK) {
      const rows = await this.db.selectFrom('node_units').select(['node', 'unit']).where('node', 'in', nodes.slice(i, i + CHUNK)).execute();
      for (const r of rows) this.known.set(r.node, r.unit);
    }
  }
}
