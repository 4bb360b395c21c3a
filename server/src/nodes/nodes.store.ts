import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { NodeLevel } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { DATABASE, type Db } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import type { NodeFields } from './nodes.csv.js';

export interface StoredNode extends NodeFields {
  stateReason: string | null;
  stateAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A node whose points ingest refuses (retired or refused), and why. */
export interface BlockedNode {
  state: 'retired' | 'refused';
  reason: string | null;
}

/** How often the refused/retired set is read again (another instance's retire is seen within this). */
export const BLOCKED_REFRESH_MS = 5_000;

/**
 * The node registry's SQL (table `nodes`, migration 0011). The unit is node_units' (written here
 * in the same transaction as the registry row, so the two never disagree); every read joins it.
 * Holds the set of retired and refused nodes in memory for ingest, read again every few seconds.
 */
@Injectable()
export class NodesStore implements OnModuleInit, OnModuleDestroy {
  private blockedSet = new Map<string, BlockedNode>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit() {
    await this.loadBlocked();
    this.timer = setInterval(() => void this.loadBlocked().catch(() => {}), BLOCKED_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  /** Retired or refused: ingest refuses the node's points. */
  blocked(id: string): BlockedNode | undefined {
    return this.blockedSet.get(id);
  }

  async loadBlocked(): Promise<void> {
    const rows = await this.db.selectFrom('nodes').select(['id', 'state', 'state_reason']).where('state', '!=', 'active').execute();
    this.blockedSet = new Map(rows.map((r) => [r.id, { state: r.state as BlockedNode['state'], reason: r.state_reason }]));
  }

  private query(db: Kysely<Schema> = this.db) {
    return db
      .selectFrom('nodes')
      .leftJoin('node_units', 'node_units.node', 'nodes.id')
      .select([
        'nodes.id', 'nodes.name', 'nodes.level', 'nodes.parent', 'node_units.unit', 'nodes.admin_code', 'nodes.department', 'nodes.address',
        'nodes.operator', 'nodes.contract', 'nodes.state', 'nodes.state_reason', 'nodes.state_at', 'nodes.created_at', 'nodes.updated_at',
      ]);
  }

  async all(): Promise<StoredNode[]> {
    return (await this.query().orderBy('nodes.id').execute()).map(toNode);
  }

  async get(id: string): Promise<StoredNode | undefined> {
    const r = await this.query().where('nodes.id', '=', id).executeTakeFirst();
    return r ? toNode(r) : undefined;
  }

  async isEmpty(): Promise<boolean> {
    return !(await this.db.selectFrom('nodes').select('id').limit(1).executeTakeFirst());
  }

  /**
   * Creates or updates nodes, and their units in node_units, in one transaction. Returns the ids
   * whose unit was written (node_units' cache must forget them: NodeUnitsStore.forget).
   */
  async write(nodes: ReadonlyArray<{ after: NodeFields; before: NodeFields | null }>): Promise<string[]> {
    const now = this.clock.now();
    const moved: string[] = [];
    await this.db.transaction().execute(async (trx) => {
      for (const { after, before } of nodes) {
        const row = {
          name: after.name, level: after.level, parent: after.parent, admin_code: after.adminCode, department: after.department,
          address: after.address, operator: after.operator, contract: after.contract, state: after.state, updated_at: now,
          ...(before?.state !== after.state ? { state_at: now, state_reason: null } : {}),
        };
        await trx
          .insertInto('nodes')
          .values({ id: after.id, ...row, state_at: row.state_at ?? null, state_reason: row.state_reason ?? null, created_at: now })
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
        if (after.unit && after.unit !== before?.unit) {
          await trx
            .insertInto('node_units')
            .values({ node: after.id, unit: after.unit, since: now })
            .onConflict((oc) => oc.column('node').doUpdateSet({ unit: after.unit!, since: now }))
            .execute();
          moved.push(after.id);
        }
      }
    });
    await this.loadBlocked();
    return moved;
  }

  /** Sets a node's registry state, creating a bare row (name = id) for a node not registered yet. */
  async setState(id: string, state: BlockedNode['state'] | 'active', reason: string | null, fields: { name?: string; level?: NodeLevel | null } = {}): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('nodes')
      .values({
        id, name: fields.name ?? id, level: fields.level ?? null, parent: null, admin_code: null, department: null, address: null, operator: null, contract: null,
        state, state_reason: reason, state_at: now, created_at: now, updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet({ state, state_reason: reason, state_at: now, updated_at: now, ...(fields.name ? { name: fields.name } : {}), ...(fields.level ? { level: fields.level } : {}) }))
      .execute();
    if (state === 'active') this.blockedSet.delete(id);
    else this.blockedSet.set(id, { state, reason });
  }
}

function toNode(r: {
  id: string; name: string; level: string | null; parent: string | null; unit: string | null; admin_code: string | null; department: string | null;
  address: string | null; operator: string | null; contract: string | null; state: string; state_reason: string | null; state_at: number | string | null;
  created_at: number | string; updated_at: number | string;
}): StoredNode {
  return {
    id: r.id, name: r.name, level: r.level as NodeLevel | null, parent: r.parent, unit: r.unit, adminCode: r.admin_code, department: r.department,
    address: r.address, operator: r.operator, contract: r.contract, state: r.state as StoredNode['state'], stateReason: r.state_reason,
    stateAt: r.state_at === null ? null : Number(r.state_at), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}
