import { randomUUID } from 'node:crypto';
import type { HistoryEntry } from '@zhuyun/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.js';
import { STATES, type FundingMode, type MigrationState, type StateDates, type SystemRecord, type Track } from './migration.model.js';
import type { MigrationAgencyTable, MigrationSystemTable } from './migration.tables.js';

/**
 * The inventory's rows in and out of the relational database (SQLite or PostgreSQL, same queries).
 * No rules here: the service checks before it writes.
 */

export interface Agency {
  id: string;
  name: string;
  unit: string;
  createdAt: number;
  updatedAt: number;
}

export interface StoredSystem extends SystemRecord {
  createdAt: number;
  updatedAt: number;
}

export type { HistoryEntry } from '@zhuyun/protocol';

const dateCol = (s: MigrationState) => `d_${s}` as const;

export function toAgency(r: Selectable<MigrationAgencyTable>): Agency {
  return { id: r.id, name: r.name, unit: r.unit, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

export function toSystem(r: Selectable<MigrationSystemTable>): StoredSystem {
  const stateDates: StateDates = {};
  for (const s of STATES) {
    const d = r[dateCol(s)];
    if (d) stateDates[s] = d;
  }
  return {
    id: r.id,
    name: r.name,
    agencyId: r.agency_id,
    district: r.district,
    track: r.track as Track,
    fundingMode: r.funding_mode as FundingMode,
    omCostYuan: Number(r.om_cost_yuan),
    fiscalOm: Number(r.fiscal_om) === 1,
    targetDate: r.target_date,
    state: r.state as MigrationState,
    stateDates,
    exemptBasis: r.exempt_basis,
    heldFrom: (r.held_from as MigrationState | null) ?? null,
    note: r.note,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function systemRow(s: SystemRecord, createdAt: number, updatedAt: number): MigrationSystemTable {
  const row = {
    id: s.id,
    name: s.name,
    agency_id: s.agencyId,
    district: s.district,
    track: s.track,
    funding_mode: s.fundingMode,
    om_cost_yuan: s.omCostYuan,
    fiscal_om: s.fiscalOm ? 1 : 0,
    target_date: s.targetDate,
    state: s.state,
    exempt_basis: s.exemptBasis,
    held_from: s.heldFrom,
    note: s.note,
    created_at: createdAt,
    updated_at: updatedAt,
  } as MigrationSystemTable;
  for (const st of STATES) row[dateCol(st)] = s.stateDates[st] ?? null;
  return row;
}

/** The fields a history entry can name, with their text form. */
export function fieldsOf(s: SystemRecord): Record<string, string | null> {
  const out: Record<string, string | null> = {
    name: s.name,
    agencyId: s.agencyId,
    district: s.district,
    track: s.track,
    fundingMode: s.fundingMode,
    omCostYuan: String(s.omCostYuan),
    fiscalOm: String(s.fiscalOm),
    targetDate: s.targetDate,
    state: s.state,
  };
  for (const st of STATES) out[`${st}Date`] = s.stateDates[st] ?? null;
  out.exemptBasis = s.exemptBasis;
  out.heldFrom = s.heldFrom;
  out.note = s.note;
  return out;
}

/** Field-by-field differences (before null: a new record). */
export function diff(before: Record<string, string | null> | null, after: Record<string, string | null>): Array<{ field: string; before: string | null; after: string | null }> {
  const out: Array<{ field: string; before: string | null; after: string | null }> = [];
  for (const [field, value] of Object.entries(after)) {
    const old = before ? (before[field] ?? null) : null;
    if (old !== value && !(before === null && value === null)) out.push({ field, before: old, after: value });
  }
  return out;
}

let lastSeq = 0;
/** A sequence number that only grows, seeded from the clock (history order across restarts). */
function nextSeq(now: number): number {
  lastSeq = Math.max(lastSeq + 1, now * 1000);
  return lastSeq;
}

export class MigrationStore {
  constructor(private readonly db: Kysely<Schema>) {}

  transaction<T>(work: (tx: MigrationStore) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new MigrationStore(trx as unknown as Kysely<Schema>)));
  }

  async agencies(): Promise<Agency[]> {
    return (await this.db.selectFrom('migration_agencies').selectAll().orderBy('unit').orderBy('name').execute()).map(toAgency);
  }

  async agency(id: string): Promise<Agency | undefined> {
    const r = await this.db.selectFrom('migration_agencies').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toAgency(r);
  }

  async insertAgency(a: Agency): Promise<void> {
    await this.db.insertInto('migration_agencies').values({ id: a.id, name: a.name, unit: a.unit, created_at: a.createdAt, updated_at: a.updatedAt }).execute();
  }

  async updateAgency(a: Agency): Promise<void> {
    await this.db.updateTable('migration_agencies').set({ name: a.name, unit: a.unit, updated_at: a.updatedAt }).where('id', '=', a.id).execute();
  }

  async deleteAgency(id: string): Promise<void> {
    await this.db.deleteFrom('migration_agencies').where('id', '=', id).execute();
  }

  async countSystemsOf(agencyId: string): Promise<number> {
    const r = await this.db.selectFrom('migration_systems').select((eb) => eb.fn.countAll().as('n')).where('agency_id', '=', agencyId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async systems(): Promise<StoredSystem[]> {
    return (await this.db.selectFrom('migration_systems').selectAll().orderBy('district').orderBy('id').execute()).map(toSystem);
  }

  async system(id: string): Promise<StoredSystem | undefined> {
    const r = await this.db.selectFrom('migration_systems').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSystem(r);
  }

  async insertSystem(s: SystemRecord, now: number): Promise<void> {
    await this.db.insertInto('migration_systems').values(systemRow(s, now, now)).execute();
  }

  async updateSystem(s: SystemRecord, createdAt: number, now: number): Promise<void> {
    const { id, created_at: _c, ...rest } = systemRow(s, createdAt, now);
    await this.db.updateTable('migration_systems').set(rest).where('id', '=', id).execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('migration_systems').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async record(entries: ReadonlyArray<Omit<HistoryEntry, 'changeId'>>, changeId = randomUUID()): Promise<void> {
    if (!entries.length) return;
    const rows = entries.map((e) => ({
      id: randomUUID(),
      seq: nextSeq(e.at),
      entity: e.entity,
      entity_id: e.entityId,
      change_id: changeId,
      at: e.at,
      actor: e.actor,
      source: e.source,
      field: e.field,
      before: e.before,
      after: e.after,
    }));
    // Bounded statements: SQLite allows some thousands of parameters per statement.
    for (let i = 0; i < rows.length; i += 200) await this.db.insertInto('migration_history').values(rows.slice(i, i + 200)).execute();
  }

  async history(entity: 'system' | 'agency', id: string): Promise<HistoryEntry[]> {
    const rows = await this.db.selectFrom('migration_history').selectAll().where('entity', '=', entity).where('entity_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => ({ entity: r.entity, entityId: r.entity_id, changeId: r.change_id, at: Number(r.at), actor: r.actor, source: r.source, field: r.field, before: r.before, after: r.after }));
  }
}
