import { NODE_LEVELS, NODE_LEVEL_ZH, UNITS, isUnitCode, type NodeLevel, type NodeRecord } from '@zhuyun/protocol';
import { csvDocument, readNeutralisedCell } from '../common/csv.writer.js';
import { parseCsv } from '../migration/csv.js';
import { MAX_ROWS, headerKey, type CellError } from '../migration/migration.csv.js';

/**
 * The node registry's CSV: its columns, how a file reads into rows, how a plan is made against
 * the registry, and the export. The reading rules are the migration import's (docs/MIGRATION.md):
 * the same CSV parser, header matching, formula-apostrophe reversal, row limit and error shape
 * (row as a spreadsheet numbers it, column as the file names it). Pure.
 */

export type NodeColumn = 'id' | 'name' | 'level' | 'parent' | 'unit' | 'adminCode' | 'department' | 'address' | 'operator' | 'contract' | 'state';

export const NODE_COLUMNS: ReadonlyArray<{ key: NodeColumn; zh: string; aliases?: string[] }> = [
  { key: 'id', zh: '节点编号', aliases: ['编号', 'node', 'node id'] },
  { key: 'name', zh: '节点名称', aliases: ['名称'] },
  { key: 'level', zh: '层级', aliases: ['级别'] },
  { key: 'parent', zh: '上级节点', aliases: ['上级', 'parent id'] },
  { key: 'unit', zh: '所属区县', aliases: ['区县', '单位', '所属单位', 'district'] },
  { key: 'adminCode', zh: '行政区划代码', aliases: ['区划代码', 'admin code', 'code'] },
  { key: 'department', zh: '所属部门', aliases: ['部门'] },
  { key: 'address', zh: '地址', aliases: ['详细地址'] },
  { key: 'operator', zh: '运维单位', aliases: ['运维商'] },
  { key: 'contract', zh: '合同编号', aliases: ['合同', '运维合同'] },
  { key: 'state', zh: '状态', aliases: ['登记状态'] },
];
const BY_HEADER = new Map<string, NodeColumn>();
for (const c of NODE_COLUMNS) for (const h of [c.key, c.zh, ...(c.aliases ?? [])]) BY_HEADER.set(headerKey(h), c.key);

/** Columns a new node's row must fill. */
export const REQUIRED_FOR_NEW: readonly NodeColumn[] = ['id', 'name', 'level', 'unit'];

export const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A registry row as the plan sees it (the unit joined from node_units). */
export type NodeFields = Pick<NodeRecord, 'id' | 'name' | 'level' | 'parent' | 'unit' | 'adminCode' | 'department' | 'address' | 'operator' | 'contract'> & {
  /** A stored row is never `unregistered` (that is a live node with no row). */
  state: Exclude<NodeRecord['state'], 'unregistered'>;
};

export const STORED_STATES = ['active', 'retired', 'refused'] as const;
const STATE_ZH: Record<NodeFields['state'], string> = { active: '在用', retired: '已退役', refused: '已拒绝' };

export interface NodePlanRow {
  row: number;
  kind: 'create' | 'update' | 'unchanged';
  before: NodeFields | null;
  after: NodeFields;
}

export interface NodeImportPlan {
  rows: NodePlanRow[];
  errors: CellError[];
  dataRows: number;
  blankRows: number;
  failedRows: number;
  /** The header cannot be read: nothing is stored in either mode. */
  fatal: boolean;
}

function unitOf(raw: string): string | undefined {
  if (isUnitCode(raw)) return raw;
  return UNITS.find((u) => u.zh === raw || u.zhShort === raw)?.code;
}

function levelOf(raw: string): NodeLevel | undefined {
  const v = raw.toLowerCase();
  return NODE_LEVELS.find((l) => l === v || NODE_LEVEL_ZH[l] === raw);
}

function stateOf(raw: string): NodeFields['state'] | undefined {
  const v = raw.toLowerCase();
  return STORED_STATES.find((s) => s === v || STATE_ZH[s] === raw);
}

/** GB/T 2260 code of a level: a township's has 9 digits, a village's 12; others 6, 9 or 12. */
function adminCodeError(code: string, level: NodeLevel | null): string | undefined {
  if (!/^\d+$/.test(code)) return `${JSON.stringify(code)} is not a division code (digits only, GB/T 2260)`;
  if (level === 'township' && code.length !== 9) return `a township's division code has 9 digits, not ${code.length}`;
  if (level === 'village' && code.length !== 12) return `a village's division code has 12 digits, not ${code.length}`;
  if (![6, 9, 12].includes(code.length)) return `a division code has 6, 9 or 12 digits, not ${code.length}`;
  return undefined;
}

/**
 * Plans an import against the registry: each row keyed by its id creates or updates a node; a
 * column left out of the file keeps the value; an error names its row and column.
 */
export function planNodeImport(text: string, existing: ReadonlyMap<string, NodeFields>): NodeImportPlan {
  const { records, problems } = parseCsv(text);
  const errors: CellError[] = problems.map((p) => ({ row: p.row, column: '', message: p.message }));
  const plan: NodeImportPlan = { rows: [], errors, dataRows: Math.max(0, records.length - 1) + problems.filter((p) => p.row > 1).length, blankRows: 0, failedRows: 0, fatal: false };
  const header = records[0];
  const headerOf: Partial<Record<NodeColumn, string>> = {};
  const keys: Array<NodeColumn | undefined> = header?.row === 1 ? header.fields.map((h) => BY_HEADER.get(headerKey(h))) : [];
  if (!header || header.row !== 1) {
    errors.unshift({ row: 1, column: '', message: 'no header row: the first line must name the columns (节点编号,节点名称,层级,所属区县,...)' });
  } else {
    header.fields.forEach((h, i) => {
      const k = keys[i];
      if (!h.trim() && !k) return;
      if (!k) errors.push({ row: 1, column: h, message: `unknown column ${JSON.stringify(h)}; known columns: ${NODE_COLUMNS.map((c) => c.zh).join(', ')}` });
      else if (headerOf[k] !== undefined) errors.push({ row: 1, column: h, message: `column ${JSON.stringify(h)} repeats ${JSON.stringify(headerOf[k])}` });
      else headerOf[k] = h;
    });
    if (!headerOf.id) errors.push({ row: 1, column: '', message: 'missing column: 节点编号 (the node id collectors send)' });
    if (records.length - 1 > MAX_ROWS) errors.push({ row: 1, column: '', message: `${records.length - 1} rows: at most ${MAX_ROWS} per import` });
  }
  if (errors.some((e) => e.row === 1)) {
    plan.fatal = true;
    plan.failedRows = plan.dataRows;
    return plan;
  }
  const colName = (k: NodeColumn) => headerOf[k] ?? NODE_COLUMNS.find((c) => c.key === k)!.zh;
  const seen = new Map<string, number>();
  const planned = new Map<string, NodePlanRow>();

  for (const rec of records.slice(1)) {
    if (rec.fields.every((f) => !f.trim())) {
      plan.blankRows++;
      plan.dataRows--;
      continue;
    }
    const rowErrors: CellError[] = [];
    const fail = (k: NodeColumn | '', message: string) => rowErrors.push({ row: rec.row, column: k ? colName(k) : '', message });
    if (rec.fields.length > header.fields.length && rec.fields.slice(header.fields.length).some((f) => f.trim())) {
      fail('', `${rec.fields.length} fields but the header has ${header.fields.length} (an unquoted comma?)`);
    }
    const cell = new Map<NodeColumn, string>();
    keys.forEach((k, i) => {
      // The export neutralised formula starts with an apostrophe (common/csv.writer.ts): taken off.
      if (k) cell.set(k, readNeutralisedCell(rec.fields[i] ?? '').trim());
    });
    const id = cell.get('id') ?? '';
    if (!id) fail('id', 'required: the node id collectors send');
    else if (!NODE_ID.test(id)) fail('id', `${JSON.stringify(id)} is not a node id (ASCII letters, digits, _ . : -; at most 128)`);
    else if (seen.has(id)) fail('id', `node ${id} is already in row ${seen.get(id)}`);
    const before = existing.get(id) ?? null;
    for (const k of REQUIRED_FOR_NEW) {
      if (k === 'id' || !cell.has(k)) {
        if (k !== 'id' && !before) fail(k, 'required for a new node');
        continue;
      }
      if (!cell.get(k)) fail(k, before ? 'must not be empty (leave the column out to keep the value)' : 'required for a new node');
    }
    const text = (k: NodeColumn, max = 200): string | null | undefined => {
      if (!cell.has(k)) return undefined;
      const v = cell.get(k)!;
      if (v.length > max) fail(k, `longer than ${max} characters`);
      return v === '' ? null : v;
    };
    const name = text('name');
    let level: NodeLevel | null | undefined;
    if (cell.get('level')) {
      level = levelOf(cell.get('level')!);
      if (!level) fail('level', `${JSON.stringify(cell.get('level'))} is not a level: ${NODE_LEVELS.map((l) => `${l}/${NODE_LEVEL_ZH[l]}`).join(', ')}`);
    }
    let unit: string | undefined;
    if (cell.get('unit')) {
      unit = unitOf(cell.get('unit')!);
      if (!unit) fail('unit', `${JSON.stringify(cell.get('unit'))} is not a district or zone (a code such as 520103 or gy-hitech, or a name such as 云岩区)`);
    }
    let state: NodeFields['state'] | undefined;
    if (cell.get('state')) {
      state = stateOf(cell.get('state')!);
      if (!state) fail('state', `${JSON.stringify(cell.get('state'))} is not a state: ${STORED_STATES.map((s) => `${s}/${STATE_ZH[s]}`).join(', ')}`);
    }
    const parent = text('parent', 128);
    if (parent && !NODE_ID.test(parent)) fail('parent', `${JSON.stringify(parent)} is not a node id`);
    if (parent && parent === id) fail('parent', 'a node is not its own parent');
    if (rowErrors.length) {
      errors.push(...rowErrors);
      if (id && NODE_ID.test(id) && !seen.has(id)) seen.set(id, rec.row);
      continue;
    }
    const base: NodeFields = before ?? { id, name: '', level: null, parent: null, unit: null, adminCode: null, department: null, address: null, operator: null, contract: null, state: 'active' };
    const after: NodeFields = {
      id,
      name: name ?? base.name,
      level: level ?? base.level,
      parent: parent === undefined ? base.parent : parent,
      unit: unit ?? base.unit,
      adminCode: cell.has('adminCode') ? (cell.get('adminCode') || null) : base.adminCode,
      department: text('department') ?? (cell.has('department') ? null : base.department),
      address: text('address') ?? (cell.has('address') ? null : base.address),
      operator: text('operator') ?? (cell.has('operator') ? null : base.operator),
      contract: text('contract') ?? (cell.has('contract') ? null : base.contract),
      state: state ?? base.state,
    };
    if (after.adminCode) {
      const e = adminCodeError(after.adminCode, after.level);
      if (e) fail(cell.has('adminCode') ? 'adminCode' : 'level', e);
    }
    if (rowErrors.length) {
      errors.push(...rowErrors);
      seen.set(id, rec.row);
      continue;
    }
    seen.set(id, rec.row);
    const kind = !before ? 'create' : sameNode(before, after) ? 'unchanged' : 'update';
    const p: NodePlanRow = { row: rec.row, kind, before, after };
    planned.set(id, p);
    plan.rows.push(p);
  }
  // A parent must be a node: in the registry, or in this file.
  for (const p of [...plan.rows]) {
    const parent = p.after.parent;
    if (parent && parent !== p.before?.parent && !existing.has(parent) && !planned.has(parent)) {
      errors.push({ row: p.row, column: colName('parent'), message: `node ${parent} is neither in the registry nor in this file` });
      plan.rows.splice(plan.rows.indexOf(p), 1);
    }
  }
  errors.sort((a, b) => a.row - b.row);
  plan.failedRows = new Set(errors.filter((e) => e.row > 1).map((e) => e.row)).size;
  return plan;
}

export function sameNode(a: NodeFields, b: NodeFields): boolean {
  return (Object.keys(a) as Array<keyof NodeFields>).every((k) => a[k] === b[k]);
}

/** The export: Chinese headers, codes as the import reads them back. */
export function writeNodesCsv(nodes: readonly NodeFields[]): string {
  return csvDocument([
    NODE_COLUMNS.map((c) => c.zh),
    ...nodes.map((n) => NODE_COLUMNS.map((c) => n[c.key] ?? '')),
  ]);
}
