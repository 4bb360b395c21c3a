import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UNITS, type MigrationSummaryResponse } from '@zhuyun/protocol';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { LiveBus } from '../common/live-bus.js';
import { LOGGER, type Logger } from '../common/logger.js';
import type { MigrationFigures, UnitMigration } from '../comparison/comparison.ports.js';
import { DATABASE, type Db } from '../db/database.js';
import { CloudEvidence, ON_CLOUD_STATES, type SystemEvidence, type UnitCloudEvidence } from './cloud-evidence.js';
import { writeInventoryCsv } from './migration.csv.js';
import { FLAG_NAMES, asOfDay, flagsOf, hasFlag, summarise, type FlagName, type SystemFlags, type UnitMigrationSummary } from './migration.flags.js';
import { importReport, planImport, refuseUnstorable, type ImportMode, type ImportPlan } from './migration.import.js';
import {
  CITY_CODE, FUNDING_MODES, STATES, TRACKS, UNIT_CODES, allowedFrom, applyStateChange, checkRecord, normaliseUnit,
  type FieldError, type MigrationState, type SystemRecord,
} from './migration.model.js';
import { MigrationStore, diff, fieldsOf, type Agency, type HistoryEntry, type StoredSystem } from './migration.store.js';
import { isDay, monthEnd, shanghaiDay } from './working-days.js';

/** Who made a change and how (the actor is the signed-in user once issue 7 attaches one). */
export interface Actor {
  actor: string;
  source: 'api' | 'import' | 'seed';
}

export interface SystemView extends SystemRecord {
  agencyName: string;
  createdAt: number;
  updatedAt: number;
  flags: SystemFlags;
  /** States reachable in one step (besides forward jumps with the skipped states' days). */
  allowedNext: MigrationState[];
  evidence: SystemEvidence;
}

export interface ImportReport {
  mode: ImportMode;
  /** Whether anything was stored. */
  stored: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  blankRows: number;
  agenciesCreated: number;
  errors: Array<{ row: number; column: string; message: string }>;
}

export type SummaryResponse = MigrationSummaryResponse;

/** The district comparison's figures for one unit and month (as of the end of the month). */
export interface MonthlyMigrationFigures {
  unit: string;
  month: string;
  /** The last day of the month, or today for the current month. */
  asOf: string;
  migrated: number;
  /** in scope − exempt − retired, as of `asOf` */
  denominator: number;
  inScope: number;
  exempt: number;
  retired: number;
  migrationRate: number | null;
  overdue: number;
  omAtRisk: number;
  omAtRiskYuan: number;
}

const day = z.string().refine(isDay, 'must be a day YYYY-MM-DD');
const unitCode = z.string().transform((v, ctx) => {
  const code = normaliseUnit(v);
  if (!code) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a district or zone code (or ${CITY_CODE})` });
  return code ?? v;
});
const stateDates = z.partialRecord(z.enum(STATES), day.nullable());

const AgencyInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits, _ . : - (at most 64)').optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  unit: unitCode,
});
const AgencyPatch = AgencyInput.omit({ id: true }).partial();

const SystemInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits, _ . : - (at most 64)').optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  agencyId: z.string().min(1),
  district: unitCode.optional(),
  track: z.enum(TRACKS),
  fundingMode: z.enum(FUNDING_MODES),
  omCostYuan: z.number().int('must be whole yuan').min(0),
  fiscalOm: z.boolean(),
  targetDate: day.nullable().optional(),
  state: z.enum(STATES).optional(),
  stateDates: stateDates.optional(),
  exemptBasis: z.string().trim().max(500).nullable().optional(),
  heldFrom: z.enum(STATES).nullable().optional(),
  note: z.string().max(2000).nullable().optional(),
});

const SystemPatch = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  agencyId: z.string().min(1).optional(),
  district: unitCode.optional(),
  track: z.enum(TRACKS).optional(),
  fundingMode: z.enum(FUNDING_MODES).optional(),
  omCostYuan: z.number().int('must be whole yuan').min(0).optional(),
  fiscalOm: z.boolean().optional(),
  targetDate: day.nullable().optional(),
  /** A state change: validated against the transition graph. */
  state: z.enum(STATES).optional(),
  /** The day the new state was entered (default today). */
  stateDate: day.optional(),
  /** Days of other states: corrections, or the skipped states of a forward jump. */
  stateDates: stateDates.optional(),
  exemptBasis: z.string().trim().max(500).nullable().optional(),
  note: z.string().max(2000).nullable().optional(),
});

/** `GET /api/v1/migration/systems` (named in the OpenAPI document). */
export const ListQuery = z.object({
  district: unitCode.optional(),
  state: z.enum(STATES).optional(),
  flag: z.enum(FLAG_NAMES as [FlagName, ...FlagName[]]).optional(),
  agency: z.string().optional(),
});

function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ field: i.path.join('.') || what, message: i.message }));
  throw new ValidationError(`${what}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, issues);
}

function rejectIfErrors(errors: FieldError[], what: string): void {
  if (errors.length) throw new ValidationError(`${what}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
}

const UNIT_ROWS: Array<{ code: string; kind: 'district' | 'zone' | 'city'; zh: string }> = [
  ...UNITS.map((u) => ({ code: u.code, kind: u.kind, zh: u.zh })),
  { code: CITY_CODE, kind: 'city' as const, zh: '市本级' },
];

/**
 * The migration inventory (Article 11) and the onboarding clocks (Article 13): agencies and
 * systems with their history, flags, CSV import and export, per-unit summary, the figures of the
 * district comparison, and the `migration` live topic.
 */
@Injectable()
export class MigrationService implements OnModuleInit, OnModuleDestroy, MigrationFigures {
  private readonly store: MigrationStore;
  private summaryCache: SummaryResponse | undefined;
  private refreshing: Promise<void> | undefined;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DATABASE) db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly live: LiveBus,
    private readonly evidence: CloudEvidence,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.store = new MigrationStore(db);
  }

  async onModuleInit() {
    this.live.serve('migration', () => this.summaryCache ?? null);
    await this.refresh();
    // Flags move with the calendar even when nothing is edited (a target day passes at midnight).
    this.timer = setInterval(() => void this.refresh(), 60_000);
    this.timer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  private today(): string {
    return shanghaiDay(this.clock.now());
  }

  /** Recomputes the live summary and marks the topic dirty. Never throws (logs). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.summaryCache = await this.summary();
        this.live.markDirty('migration');
      } catch (err) {
        this.log.error({ err }, 'migration summary failed');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  // --- agencies -------------------------------------------------------------------------------

  listAgencies(): Promise<Agency[]> {
    return this.store.agencies();
  }

  async getAgency(id: string): Promise<Agency> {
    const a = await this.store.agency(id);
    if (!a) throw new NotFoundError(`no agency ${id}`);
    return a;
  }

  async createAgency(input: unknown, who: Actor): Promise<Agency> {
    const v = parse(AgencyInput, input, 'agency');
    const now = this.clock.now();
    const a: Agency = { id: v.id ?? newId('ag'), name: v.name, unit: v.unit, createdAt: now, updatedAt: now };
    if (await this.store.agency(a.id)) throw new ConflictError(`agency ${a.id} exists`);
    if ((await this.store.agencies()).some((x) => x.unit === a.unit && x.name === a.name)) throw new ConflictError(`agency ${a.name} exists in ${a.unit}`);
    await this.store.transaction(async (tx) => {
      await tx.insertAgency(a);
      await tx.record([
        { entity: 'agency', entityId: a.id, at: now, ...who, field: 'name', before: null, after: a.name },
        { entity: 'agency', entityId: a.id, at: now, ...who, field: 'unit', before: null, after: a.unit },
      ]);
    });
    return a;
  }

  async updateAgency(id: string, input: unknown, who: Actor): Promise<Agency> {
    const v = parse(AgencyPatch, input, 'agency');
    const before = await this.getAgency(id);
    const now = this.clock.now();
    const after: Agency = { ...before, ...v, updatedAt: now };
    if ((await this.store.agencies()).some((x) => x.id !== id && x.unit === after.unit && x.name === after.name)) throw new ConflictError(`agency ${after.name} exists in ${after.unit}`);
    const changes = diff({ name: before.name, unit: before.unit }, { name: after.name, unit: after.unit });
    if (!changes.length) return before;
    await this.store.transaction(async (tx) => {
      await tx.updateAgency(after);
      await tx.record(changes.map((c) => ({ entity: 'agency' as const, entityId: id, at: now, ...who, ...c })));
    });
    await this.refresh();
    return after;
  }

  async deleteAgency(id: string, who: Actor): Promise<void> {
    const a = await this.getAgency(id);
    const n = await this.store.countSystemsOf(id);
    if (n > 0) throw new ConflictError(`agency ${id} still has ${n} systems: move or delete them first`);
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      await tx.deleteAgency(id);
      await tx.record([{ entity: 'agency', entityId: id, at: now, ...who, field: 'deleted', before: `${a.unit} ${a.name}`, after: null }]);
    });
  }

  // --- systems --------------------------------------------------------------------------------

  private view(s: StoredSystem, agencies: Map<string, Agency>, today: string): SystemView {
    return {
      ...s,
      agencyName: agencies.get(s.agencyId)?.name ?? '',
      flags: flagsOf(s, today),
      allowedNext: allowedFrom(s),
      evidence: this.evidence.forSystem(s),
    };
  }

  async listSystems(query: unknown): Promise<{ ts: number; today: string; count: number; systems: SystemView[] }> {
    const q = parse(ListQuery, query, 'query');
    const today = this.today();
    const agencies = new Map((await this.store.agencies()).map((a) => [a.id, a]));
    let systems = (await this.store.systems()).map((s) => this.view(s, agencies, today));
    if (q.district) systems = systems.filter((s) => s.district === q.district);
    if (q.state) systems = systems.filter((s) => s.state === q.state);
    if (q.agency) systems = systems.filter((s) => s.agencyId === q.agency);
    if (q.flag) systems = systems.filter((s) => hasFlag(s.flags, q.flag!));
    return { ts: this.clock.now(), today, count: systems.length, systems };
  }

  async getSystem(id: string): Promise<SystemView> {
    const s = await this.store.system(id);
    if (!s) throw new NotFoundError(`no system ${id}`);
    const agencies = new Map((await this.store.agencies()).map((a) => [a.id, a]));
    return this.view(s, agencies, this.today());
  }

  async createSystem(input: unknown, who: Actor): Promise<SystemView> {
    const v = parse(SystemInput, input, 'system');
    const agency = await this.store.agency(v.agencyId);
    if (!agency) throw new ValidationError(`agencyId: no agency ${v.agencyId}`, [{ field: 'agencyId', message: 'unknown agency' }]);
    const today = this.today();
    const state = v.state ?? 'inventoried';
    const record: SystemRecord = {
      id: v.id ?? newId('sys'),
      name: v.name,
      agencyId: v.agencyId,
      district: v.district ?? agency.unit,
      track: v.track,
      fundingMode: v.fundingMode,
      omCostYuan: v.omCostYuan,
      fiscalOm: v.fiscalOm,
      targetDate: v.targetDate ?? null,
      state,
      stateDates: { [state]: today, ...v.stateDates },
      exemptBasis: v.exemptBasis ?? null,
      heldFrom: state === 'on_hold' ? (v.heldFrom ?? null) : null,
      note: v.note ?? null,
    };
    rejectIfErrors(checkRecord(null, record, today), 'system');
    if (await this.store.system(record.id)) throw new ConflictError(`system ${record.id} exists`);
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      await tx.insertSystem(record, now);
      await tx.record(diff(null, fieldsOf(record)).map((c) => ({ entity: 'system' as const, entityId: record.id, at: now, ...who, ...c })));
    });
    await this.refresh();
    return this.getSystem(record.id);
  }

  /**
   * Edits fields and/or changes the state. A state change is checked against the transition graph
   * (docs/MIGRATION.md); its day is `stateDate` or today; a back move clears the later chain days.
   * Every changed field is recorded in the history with who and when. Idempotent: a patch that
   * changes nothing records nothing.
   */
  async patchSystem(id: string, input: unknown, who: Actor): Promise<SystemView> {
    const v = parse(SystemPatch, input, 'patch');
    const before = await this.store.system(id);
    if (!before) throw new NotFoundError(`no system ${id}`);
    if (v.agencyId !== undefined && !(await this.store.agency(v.agencyId))) {
      throw new ValidationError(`agencyId: no agency ${v.agencyId}`, [{ field: 'agencyId', message: 'unknown agency' }]);
    }
    const today = this.today();
    const { state, stateDate, stateDates: givenDates, createdAt: _c, updatedAt: _u, ...rest } = { ...before, ...stripUndefined(v) } as typeof before & typeof v;
    let after: SystemRecord = { ...rest, stateDates: before.stateDates, state: before.state, heldFrom: before.heldFrom };
    if (state !== undefined && state !== before.state) after = applyStateChange(after, state, stateDate ?? today, givenDates ?? {});
    else if (givenDates || stateDate) after = { ...after, stateDates: { ...after.stateDates, ...givenDates, ...(stateDate ? { [after.state]: stateDate } : {}) } };
    rejectIfErrors(checkRecord(before, after, today), 'patch');
    const changes = diff(fieldsOf(before), fieldsOf(after));
    if (changes.length) {
      const now = this.clock.now();
      await this.store.transaction(async (tx) => {
        await tx.updateSystem(after, before.createdAt, now);
        await tx.record(changes.map((c) => ({ entity: 'system' as const, entityId: id, at: now, ...who, ...c })));
      });
      await this.refresh();
    }
    return this.getSystem(id);
  }

  async history(id: string): Promise<HistoryEntry[]> {
    if (!(await this.store.system(id))) {
      const entries = await this.store.history('system', id);
      if (!entries.length) throw new NotFoundError(`no system ${id}`);
      return entries;
    }
    return this.store.history('system', id);
  }

  async agencyHistory(id: string): Promise<HistoryEntry[]> {
    return this.store.history('agency', id);
  }

  // --- CSV ------------------------------------------------------------------------------------

  /**
   * Imports CSV text. `all-or-nothing`: stored only when every row is good, else nothing and
   * every error (a ValidationError whose details are the report). `row-by-row`: the good rows
   * are stored, each bad row reported. A header that cannot be read stores nothing in either mode.
   */
  async importCsv(text: string, mode: ImportMode, who: Actor): Promise<ImportReport> {
    const plan = await this.plan(text);
    const report = (stored: boolean): ImportReport => ({
      ...importReport(plan, mode, stored),
      agenciesCreated: stored ? new Set(plan.rows.filter((r) => r.newAgency && r.kind !== 'unchanged').map((r) => r.newAgency!.id)).size : 0,
    });
    refuseUnstorable(plan, mode, report(false));
    await this.storePlan(plan, who);
    await this.refresh();
    return report(true);
  }

  private async plan(text: string): Promise<ImportPlan> {
    const [systems, agencies] = await Promise.all([this.store.systems(), this.store.agencies()]);
    return planImport(text, { systems, agencies, today: this.today(), now: this.clock.now(), newId: (k) => newId(k === 'system' ? 'sys' : 'ag') });
  }

  private async storePlan(plan: ImportPlan, who: Actor): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      const agenciesDone = new Set<string>();
      for (const r of plan.rows) {
        if (r.kind === 'unchanged') continue;
        if (r.newAgency && !agenciesDone.has(r.newAgency.id)) {
          agenciesDone.add(r.newAgency.id);
          await tx.insertAgency(r.newAgency);
          await tx.record([
            { entity: 'agency', entityId: r.newAgency.id, at: now, ...who, field: 'name', before: null, after: r.newAgency.name },
            { entity: 'agency', entityId: r.newAgency.id, at: now, ...who, field: 'unit', before: null, after: r.newAgency.unit },
          ]);
        }
        if (r.kind === 'create') await tx.insertSystem(r.after, now);
        else await tx.updateSystem(r.after, (r.before as StoredSystem).createdAt ?? now, now);
        const changes = diff(r.before ? fieldsOf(r.before) : null, fieldsOf(r.after));
        await tx.record(changes.map((c) => ({ entity: 'system' as const, entityId: r.after.id, at: now, ...who, ...c })));
      }
    });
  }

  /** The whole inventory as CSV (UTF-8 with BOM, Chinese headers; `zh` writes Chinese labels for codes). */
  async exportCsv(lang: 'code' | 'zh' = 'code'): Promise<string> {
    const agencies = new Map((await this.store.agencies()).map((a) => [a.id, a]));
    const systems = (await this.store.systems()).map((s) => ({ ...s, agencyName: agencies.get(s.agencyId)?.name ?? '' }));
    return writeInventoryCsv(systems, lang);
  }

  isEmpty(): Promise<boolean> {
    return this.store.count().then((n) => n === 0);
  }

  // --- summary and comparison ------------------------------------------------------------------

  /** Per unit (10 districts, 4 zones, city level): counts per state, migration rate with its counts, flags. */
  async summary(): Promise<SummaryResponse> {
    const today = this.today();
    const systems = await this.store.systems();
    const byUnit = new Map<string, SystemRecord[]>();
    for (const s of systems) byUnit.set(s.district, [...(byUnit.get(s.district) ?? []), s]);
    return {
      ts: this.clock.now(),
      today,
      units: UNIT_ROWS.map((u) => ({
        ...summarise(u.code, byUnit.get(u.code) ?? [], today),
        kind: u.kind,
        zh: u.zh,
        expectedOnCloud: (byUnit.get(u.code) ?? []).filter((s) => ON_CLOUD_STATES.has(s.state)).length,
        cloud: this.evidence.unit(u.code),
      })),
      total: summarise('all', systems, today),
    };
  }

  /**
   * For the district comparison: one unit's figures as of the end of `month` (`YYYY-MM`, Asia/
   * Shanghai; the current month is as of today, a future month is refused). States are
   * reconstructed from the state days (asOfDay); the O&M cost and fiscal flag are today's.
   */
  async monthlyFigures(unit: string, month: string): Promise<MonthlyMigrationFigures> {
    const code = normaliseUnit(unit);
    if (!code || !UNIT_CODES.includes(code)) throw new ValidationError(`unit: ${JSON.stringify(unit)} is not a district or zone code`);
    const asOf = this.asOfMonth(month);
    if (!asOf) throw new ValidationError(`month: ${month} is in the future`);
    return figuresAsOf(code, month, asOf, (await this.store.systems()).filter((s) => s.district === code));
  }

  /**
   * The comparison port (MIGRATION_FIGURES, server/src/comparison/comparison.ports.ts): every unit's
   * figures as of the end of `month` (the current month: today), keyed by unit code (the 14 units
   * and 520100). A future month gives an empty map (nothing measured yet).
   */
  async migrationByUnit(month: string): Promise<Map<string, UnitMigration>> {
    const asOf = this.asOfMonth(month);
    const out = new Map<string, UnitMigration>();
    if (!asOf) return out;
    const systems = await this.store.systems();
    for (const code of UNIT_CODES) {
      const f = figuresAsOf(code, month, asOf, systems.filter((s) => s.district === code));
      out.set(code, {
        migrated: f.migrated,
        denominator: f.denominator,
        ratePct: f.migrationRate === null ? null : Math.round(f.migrationRate * 10_000) / 100,
        overdue: f.overdue,
        omAtRisk: f.omAtRisk,
        omAtRiskCny: f.omAtRiskYuan,
      });
    }
    return out;
  }

  /** The day a month is seen as of: its last day, today for the current month, undefined for a future one. */
  private asOfMonth(month: string): string | undefined {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new ValidationError(`month: ${JSON.stringify(month)} is not YYYY-MM`);
    const today = this.today();
    if (month > today.slice(0, 7)) return undefined;
    return month === today.slice(0, 7) ? today : monthEnd(month);
  }

  /** The cloud's running counts per unit (evidence), for the API. */
  cloudEvidence() {
    return this.evidence.units();
  }
}

/** One unit's figures as of a day, its records reconstructed at that day (asOfDay). */
function figuresAsOf(unit: string, month: string, asOf: string, systems: readonly SystemRecord[]): MonthlyMigrationFigures {
  const records = systems.map((r) => asOfDay(r, asOf)).filter((r): r is SystemRecord => r !== null);
  const s = summarise(unit, records, asOf);
  return {
    unit, month, asOf,
    migrated: s.migrated, denominator: s.denominator, inScope: s.inScope, exempt: s.exempt, retired: s.retired,
    migrationRate: s.migrationRate, overdue: s.overdue, omAtRisk: s.omAtRisk, omAtRiskYuan: s.omAtRiskYuan,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function newId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

