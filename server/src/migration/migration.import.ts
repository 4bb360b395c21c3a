import { ValidationError } from '../common/errors.js';
import { checkRecord, type SystemRecord } from './migration.model.js';
import { COLUMNS, readImport, REQUIRED_FOR_CREATE, type CellError, type ColumnKey, type ImportRow } from './migration.csv.js';
import { diff, fieldsOf, type Agency } from './migration.store.js';

/**
 * Plans a CSV import against the current inventory: which rows create, update or leave a system
 * unchanged, which agencies must be created, and every error by row and column. Pure (ids come
 * from `newId`); the service stores the plan (all of it, or the good rows, by mode).
 */

export type ImportMode = 'all-or-nothing' | 'row-by-row';
export const IMPORT_MODES: readonly ImportMode[] = ['all-or-nothing', 'row-by-row'];

export interface PlannedRow {
  row: number;
  kind: 'create' | 'update' | 'unchanged';
  before: SystemRecord | null;
  after: SystemRecord;
  /** An agency this row needs that does not exist yet (created with the row). */
  newAgency?: Agency;
}

export interface ImportPlan {
  rows: PlannedRow[];
  errors: CellError[];
  /** Data rows read (blank rows excluded). */
  dataRows: number;
  blankRows: number;
  /** Rows that failed (distinct row numbers > 1); every row when the header is bad. */
  failedRows: number;
  /** True when the file as a whole is unreadable (bad header): nothing can be stored in either mode. */
  fatal: boolean;
}

/** What every CSV import's plan holds (the migration inventory's, the node registry's). */
export interface ImportOutline {
  rows: ReadonlyArray<{ kind: 'create' | 'update' | 'unchanged' }>;
  errors: CellError[];
  dataRows: number;
  blankRows: number;
  failedRows: number;
  fatal: boolean;
}

/** The report every CSV import answers with: counts (created/updated only when stored) and the errors. */
export function importReport(plan: ImportOutline, mode: ImportMode, stored: boolean) {
  return {
    mode,
    stored,
    rows: plan.dataRows,
    created: stored ? plan.rows.filter((r) => r.kind === 'create').length : 0,
    updated: stored ? plan.rows.filter((r) => r.kind === 'update').length : 0,
    unchanged: plan.rows.filter((r) => r.kind === 'unchanged').length,
    failed: plan.failedRows,
    blankRows: plan.blankRows,
    errors: plan.errors,
  };
}

/**
 * Throws (400, with `report` as details) when nothing of the plan may be stored: an unreadable file
 * in either mode, or any error in all-or-nothing mode.
 */
export function refuseUnstorable(plan: ImportOutline, mode: ImportMode, report: { failed: number; rows: number }): void {
  if (!plan.fatal && !(mode === 'all-or-nothing' && plan.errors.length)) return;
  throw new ValidationError(
    plan.fatal ? `the CSV cannot be read: ${plan.errors.filter((e) => e.row === 1).map((e) => e.message).join('; ')}` : `${report.failed} of ${report.rows} rows have errors: nothing was stored (mode all-or-nothing)`,
    report,
  );
}

export interface ImportContext {
  systems: readonly SystemRecord[];
  agencies: readonly Agency[];
  today: string;
  now: number;
  newId(kind: 'system' | 'agency'): string;
}

const keyOf = (district: string, agency: string, name: string) => `${district}\u0000${agency}\u0000${name}`;

export function planImport(text: string, ctx: ImportContext): ImportPlan {
  const parsed = readImport(text);
  const errors = [...parsed.errors];
  const fatal = errors.some((e) => e.row === 1);
  const plan: ImportPlan = { rows: [], errors, dataRows: parsed.dataRows, blankRows: parsed.blankRows, failedRows: 0, fatal };
  if (fatal) {
    plan.failedRows = parsed.dataRows;
    return plan;
  }
  const column = (k: ColumnKey) => parsed.headerOf[k] ?? COLUMNS.find((c) => c.key === k)!.zh;

  const agencyById = new Map(ctx.agencies.map((a) => [a.id, a]));
  const agencyByUnitName = new Map(ctx.agencies.map((a) => [`${a.unit}\u0000${a.name}`, a]));
  const agenciesByName = new Map<string, Agency[]>();
  for (const a of ctx.agencies) agenciesByName.set(a.name, [...(agenciesByName.get(a.name) ?? []), a]);
  const systemById = new Map(ctx.systems.map((s) => [s.id, s]));
  const systemByKey = new Map(ctx.systems.map((s) => [keyOf(s.district, agencyById.get(s.agencyId)?.name ?? '', s.name), s]));
  const seenIds = new Map<string, number>();
  const pendingAgencies = new Map<string, Agency>();

  /** The agency named in a unit: existing in that unit, else the only one of that name, else a new one. */
  const agencyFor = (name: string, unit: string): { agency: Agency; created: boolean } => {
    const exact = agencyByUnitName.get(`${unit}\u0000${name}`) ?? pendingAgencies.get(`${unit}\u0000${name}`);
    if (exact) return { agency: exact, created: false };
    const same = agenciesByName.get(name);
    if (same?.length === 1) return { agency: same[0], created: false };
    const a: Agency = { id: ctx.newId('agency'), name, unit, createdAt: ctx.now, updatedAt: ctx.now };
    pendingAgencies.set(`${unit}\u0000${name}`, a);
    return { agency: a, created: true };
  };

  for (const r of parsed.rows) {
    const rowErrors: CellError[] = [];
    const fail = (k: ColumnKey | string, message: string) => rowErrors.push({ row: r.row, column: COLUMNS.some((c) => c.key === k) ? column(k as ColumnKey) : k, message });
    const v = r.values;
    let before: SystemRecord | null = null;
    if (v.id) before = systemById.get(v.id) ?? null;
    else if (v.name && v.agency !== undefined && v.district) before = systemByKey.get(keyOf(v.district, v.agency, v.name)) ?? null;

    // Required cells: all of them for a new system; for an update, those whose column is in the file.
    for (const k of REQUIRED_FOR_CREATE) {
      if (!before && !has(r, k)) fail(k, 'required for a new system');
      else if (before && r.present.has(k) && !has(r, k)) fail(k, 'must not be empty (leave the column out to keep the value)');
    }
    const id = v.id ?? before?.id ?? null;
    if (id) {
      const other = seenIds.get(id);
      if (other !== undefined) fail('id', `system ${id} is already in row ${other}`);
    }
    if (rowErrors.length) {
      errors.push(...rowErrors);
      continue;
    }

    const district = (r.present.has('district') && v.district) || before?.district || '';
    let agencyId = before?.agencyId ?? '';
    let newAgency: Agency | undefined;
    if (r.present.has('agency') && v.agency) {
      const current = before ? agencyById.get(before.agencyId) : undefined;
      if (!current || current.name !== v.agency) {
        const found = agencyFor(v.agency, district);
        agencyId = found.agency.id;
        if (found.created) newAgency = found.agency;
      }
    }

    const base: SystemRecord = before ?? {
      id: id ?? ctx.newId('system'),
      name: '', agencyId: '', district: '', track: 'existing', fundingMode: 'fiscal_build', omCostYuan: 0, fiscalOm: false,
      targetDate: null, state: 'inventoried', stateDates: {}, exemptBasis: null, heldFrom: null, note: null,
    };
    const after: SystemRecord = {
      ...base,
      name: r.present.has('name') && v.name ? v.name : base.name,
      agencyId,
      district,
      track: v.track ?? base.track,
      fundingMode: v.fundingMode ?? base.fundingMode,
      omCostYuan: v.omCostYuan ?? base.omCostYuan,
      fiscalOm: v.fiscalOm ?? base.fiscalOm,
      targetDate: r.present.has('targetDate') ? (v.targetDate ?? null) : base.targetDate,
      state: v.state ?? base.state,
      stateDates: { ...base.stateDates, ...v.dates },
      exemptBasis: r.present.has('exemptBasis') ? (v.exemptBasis ?? null) : base.exemptBasis,
      heldFrom: r.present.has('heldFrom') ? (v.heldFrom ?? null) : base.heldFrom,
      note: r.present.has('note') ? (v.note ?? null) : base.note,
    };
    // A state without its day (a new row, or a state changed by the sheet) entered today.
    if (!after.stateDates[after.state]) after.stateDates = { ...after.stateDates, [after.state]: ctx.today };
    if (after.state === 'on_hold' && !after.heldFrom && before && before.state !== 'on_hold') after.heldFrom = before.state;
    if (after.state !== 'on_hold') after.heldFrom = null;

    for (const e of checkRecord(before, after, ctx.today)) fail(fieldColumn(e.field), e.message);
    if (rowErrors.length) {
      errors.push(...rowErrors);
      continue;
    }
    seenIds.set(after.id, r.row);
    const kind = !before ? 'create' : sameRecord(before, after) ? 'unchanged' : 'update';
    plan.rows.push({ row: r.row, kind, before, after, ...(newAgency ? { newAgency } : {}) });
  }
  errors.sort((a, b) => a.row - b.row);
  plan.failedRows = new Set(errors.filter((e) => e.row > 1).map((e) => e.row)).size;
  return plan;
}

function has(r: ImportRow, k: ColumnKey): boolean {
  const v = r.values as Record<string, unknown>;
  if (!r.present.has(k)) return false;
  const value = v[k];
  return value !== undefined && value !== null && value !== '';
}

/** A rule's field name as the CSV column key. */
function fieldColumn(field: string): ColumnKey | string {
  return field === 'agencyId' ? 'agency' : field;
}

function sameRecord(a: SystemRecord, b: SystemRecord): boolean {
  return diff(fieldsOf(a), fieldsOf(b)).length === 0;
}

