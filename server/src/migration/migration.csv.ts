import { readNeutralisedCell } from '../common/csv.writer.js';
import { parseCsv, writeCsv, type CsvRecord } from './csv.js';
import {
  FUNDING_MODES, FUNDING_ZH, STATES, STATE_ZH, TRACKS, TRACK_ZH, normaliseUnit,
  type FundingMode, type MigrationState, type SystemRecord, type Track,
} from './migration.model.js';
import { isDay } from './working-days.js';

/**
 * The inventory's CSV columns, how a cell reads into a field, and how a record writes out.
 * Headers are accepted in English (the API's field names) or Chinese; the export writes Chinese
 * headers. Pure.
 */

export type ColumnKey =
  | 'id' | 'name' | 'agency' | 'district' | 'track' | 'fundingMode' | 'omCostYuan' | 'fiscalOm' | 'targetDate' | 'state'
  | `${MigrationState}Date` | 'exemptBasis' | 'heldFrom' | 'note';

interface Column {
  key: ColumnKey;
  zh: string;
  aliases?: string[];
}

const DATE_ZH: Record<MigrationState, string> = {
  inventoried: '登记日期',
  assessed: '评估日期',
  applied: '申请日期',
  accepted: '受理日期',
  verified: '核验日期',
  migrating: '开始迁移日期',
  trial: '试运行日期',
  migrated: '迁移完成日期',
  legacy_decommissioned: '原系统下线日期',
  exempt: '豁免日期',
  retired: '停用日期',
  on_hold: '暂缓日期',
};

export const COLUMNS: readonly Column[] = [
  { key: 'id', zh: '系统编号', aliases: ['编号', 'system id'] },
  { key: 'name', zh: '系统名称', aliases: ['名称', 'system'] },
  { key: 'agency', zh: '所属单位', aliases: ['单位', '部门', '所属部门', 'agency name'] },
  { key: 'district', zh: '区县', aliases: ['区县代码', '所属区县', '行政区划', '区域', 'unit'] },
  { key: 'track', zh: '建设类型', aliases: ['类型', '新建/存量'] },
  { key: 'fundingMode', zh: '资金方式', aliases: ['资金来源', 'funding'] },
  { key: 'omCostYuan', zh: '年运维费用（元）', aliases: ['年运维费用', '运维费用（元）', '运维费用', 'omcost'] },
  { key: 'fiscalOm', zh: '财政运维', aliases: ['财政承担运维', '财政运维经费'] },
  { key: 'targetDate', zh: '目标日期', aliases: ['计划完成日期', '目标完成日期'] },
  { key: 'state', zh: '状态', aliases: ['迁移状态'] },
  ...STATES.map((s) => ({ key: `${s}Date` as ColumnKey, zh: DATE_ZH[s] })),
  { key: 'exemptBasis', zh: '豁免依据', aliases: ['豁免法律依据'] },
  { key: 'heldFrom', zh: '暂缓前状态' },
  { key: 'note', zh: '备注' },
];

/** Headers compare without case, spaces, and with full-width brackets as half-width. */
export function headerKey(h: string): string {
  return h.trim().toLowerCase().replace(/[\s_]/g, '').replace(/（/g, '(').replace(/）/g, ')');
}
const BY_HEADER = new Map<string, ColumnKey>();
for (const c of COLUMNS) for (const h of [c.key, c.zh, ...(c.aliases ?? [])]) BY_HEADER.set(headerKey(h), c.key);

/** Columns a new system's row must have (an update by `id` needs only the id). */
export const REQUIRED_FOR_CREATE: readonly ColumnKey[] = ['name', 'agency', 'district', 'track', 'fundingMode', 'omCostYuan', 'fiscalOm'];

export interface CellError {
  /** Spreadsheet row (1 = header). */
  row: number;
  /** The column as the file names it (or the field when the file has no such column). */
  column: string;
  message: string;
}

/** One data row read: the cells of the columns present, each already turned into its value. */
export interface ImportRow {
  row: number;
  values: Partial<RowValues>;
  /** Columns present in the file (a column absent from the file leaves the field as it is). */
  present: ReadonlySet<ColumnKey>;
}

export interface RowValues {
  id: string | null;
  name: string;
  agency: string;
  district: string;
  track: Track;
  fundingMode: FundingMode;
  omCostYuan: number;
  fiscalOm: boolean;
  targetDate: string | null;
  state: MigrationState;
  dates: Partial<Record<MigrationState, string | null>>;
  exemptBasis: string | null;
  heldFrom: MigrationState | null;
  note: string | null;
}

export interface ParsedImport {
  rows: ImportRow[];
  errors: CellError[];
  /** Data rows with every cell empty (trailing lines a spreadsheet leaves): ignored, counted. */
  blankRows: number;
  /** Data rows in the file, blank rows excluded, unreadable ones included. */
  dataRows: number;
  /** Header of each column key, as written in the file. */
  headerOf: Partial<Record<ColumnKey, string>>;
}

function pick<T extends string>(value: string, codes: readonly T[], labels: Record<T, string>, extra: Record<string, T> = {}): T | undefined {
  const v = value.trim();
  const lower = v.toLowerCase();
  // Own keys only: a cell `__proto__` or `constructor` must not find Object.prototype's members.
  return codes.find((c) => c === lower || labels[c] === v) ?? (Object.hasOwn(extra, v) ? extra[v] : undefined);
}

const TRACK_EXTRA: Record<string, Track> = { 改建: 'new', 新建或改建: 'new', '新建/改建': 'new', 已建: 'existing', 存量系统: 'existing', 新建系统: 'new' };
const FUNDING_EXTRA: Record<string, FundingMode> = {
  财政投资: 'fiscal_build', 财政资金建设: 'fiscal_build', 共建: 'joint_build', 财政与非财政资金共建: 'joint_build',
  政府购买服务: 'purchased_service', 财政资金运维: 'fiscal_om', 财政运维经费: 'fiscal_om',
};
const STATE_EXTRA: Record<string, MigrationState> = { 已登记: 'inventoried', 登记: 'inventoried', 已申请: 'applied', 已下线: 'legacy_decommissioned', 停用: 'retired', 暂停: 'on_hold' };

/** `2026-03-05`, `2026/3/5`, `2026-3-5`, `2026年3月5日`, `2026.3.5` → `2026-03-05`. */
export function readDay(value: string): string | undefined {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(value.trim());
  if (!m) return undefined;
  const day = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isDay(day) ? day : undefined;
}

/** `1200000`, `1,200,000`, `¥1200000`, `1200000元`, `120万` → yuan (whole). */
export function readYuan(value: string): number | undefined {
  let v = value.trim().replace(/^[¥￥]/, '').replace(/元$/, '').replace(/,/g, '').trim();
  let scale = 1;
  if (v.endsWith('万')) {
    scale = 10_000;
    v = v.slice(0, -1).trim();
  }
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  const yuan = Math.round(Number(v) * scale * 100) / 100;
  return Number.isSafeInteger(yuan) ? yuan : undefined;
}

export function readYesNo(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (['是', 'yes', 'y', 'true', '1', '有'].includes(v)) return true;
  if (['否', 'no', 'n', 'false', '0', '无'].includes(v)) return false;
  return undefined;
}

export const MAX_ROWS = 20_000;

/** Reads the CSV text into typed rows and cell errors (a row with an error is not in `rows`). */
export function readImport(text: string): ParsedImport {
  const { records, problems } = parseCsv(text);
  const errors: CellError[] = problems.map((p) => ({ row: p.row, column: '', message: p.message }));
  const out: ParsedImport = { rows: [], errors, blankRows: 0, dataRows: 0, headerOf: {} };
  const header = records[0];
  out.dataRows = Math.max(0, records.length - 1) + problems.filter((p) => p.row > 1).length;
  if (!header || header.row !== 1) {
    errors.unshift({ row: 1, column: '', message: 'no header row: the first line must name the columns (e.g. 系统名称,所属单位,区县,...)' });
    return out;
  }
  const keys: Array<ColumnKey | undefined> = header.fields.map((h) => BY_HEADER.get(headerKey(h)));
  header.fields.forEach((h, i) => {
    const k = keys[i];
    if (!h.trim() && !k) return;
    if (!k) errors.push({ row: 1, column: h, message: `unknown column ${JSON.stringify(h)}; known columns: ${COLUMNS.map((c) => c.zh).join(', ')}` });
    else if (out.headerOf[k] !== undefined) errors.push({ row: 1, column: h, message: `column ${JSON.stringify(h)} repeats ${JSON.stringify(out.headerOf[k])}` });
    else out.headerOf[k] = h;
  });
  if (!out.headerOf.id) {
    const missing = REQUIRED_FOR_CREATE.filter((k) => !out.headerOf[k]);
    if (missing.length) errors.push({ row: 1, column: '', message: `missing columns: ${missing.map((k) => COLUMNS.find((c) => c.key === k)!.zh).join(', ')}` });
  }
  if (errors.some((e) => e.row === 1)) return out;
  if (records.length - 1 > MAX_ROWS) {
    errors.push({ row: 1, column: '', message: `${records.length - 1} rows: at most ${MAX_ROWS} per import` });
    return out;
  }
  for (const rec of records.slice(1)) {
    if (rec.fields.every((f) => !f.trim())) {
      out.blankRows++;
      out.dataRows--;
      continue;
    }
    const row = readRow(rec, keys, header.fields, errors);
    if (row) out.rows.push(row);
  }
  return out;
}

function readRow(rec: CsvRecord, keys: Array<ColumnKey | undefined>, headers: string[], errors: CellError[]): ImportRow | undefined {
  const values: Partial<RowValues> = { dates: {} };
  const present = new Set<ColumnKey>();
  let bad = false;
  const fail = (i: number, message: string) => {
    bad = true;
    errors.push({ row: rec.row, column: headers[i], message });
  };
  if (rec.fields.length > headers.length && rec.fields.slice(headers.length).some((f) => f.trim())) {
    bad = true;
    errors.push({ row: rec.row, column: '', message: `${rec.fields.length} fields but the header has ${headers.length} (an unquoted comma?)` });
  }
  keys.forEach((key, i) => {
    if (!key) return;
    present.add(key);
    // The export neutralised formula starts with an apostrophe (common/csv.writer.ts): taken off
    // here, so an exported `'=foo` comes back as the name `=foo` it was.
    const raw = readNeutralisedCell(rec.fields[i] ?? '').trim();
    const empty = raw === '';
    switch (key) {
      case 'id':
        if (!empty && !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(raw)) fail(i, `${JSON.stringify(raw)} is not an id (letters, digits, _ . : -; at most 64)`);
        values.id = empty ? null : raw;
        break;
      case 'name':
      case 'agency':
        if (raw.length > 200) fail(i, 'longer than 200 characters');
        values[key] = raw;
        break;
      case 'district': {
        const code = empty ? undefined : normaliseUnit(raw);
        if (!empty && !code) fail(i, `${JSON.stringify(raw)} is not a district or zone (a code such as 520103, gy-hitech, 520100 for city level, or a name such as 云岩区)`);
        values.district = code ?? '';
        break;
      }
      case 'track': {
        const t = empty ? undefined : pick(raw, TRACKS, TRACK_ZH, TRACK_EXTRA);
        if (!empty && !t) fail(i, `${JSON.stringify(raw)} is not a track: new/新建 or existing/存量`);
        if (t) values.track = t;
        break;
      }
      case 'fundingMode': {
        const f = empty ? undefined : pick(raw, FUNDING_MODES, FUNDING_ZH, FUNDING_EXTRA);
        if (!empty && !f) fail(i, `${JSON.stringify(raw)} is not a funding mode: ${FUNDING_MODES.map((m) => `${m}/${FUNDING_ZH[m]}`).join(', ')}`);
        if (f) values.fundingMode = f;
        break;
      }
      case 'omCostYuan': {
        const y = empty ? undefined : readYuan(raw);
        if (!empty && y === undefined) fail(i, `${JSON.stringify(raw)} is not a whole number of yuan (e.g. 120000, 1,200,000 or 12万)`);
        if (y !== undefined) values.omCostYuan = y;
        break;
      }
      case 'fiscalOm': {
        const b = empty ? undefined : readYesNo(raw);
        if (!empty && b === undefined) fail(i, `${JSON.stringify(raw)} is not yes/no (是/否)`);
        if (b !== undefined) values.fiscalOm = b;
        break;
      }
      case 'targetDate': {
        const d = empty ? null : readDay(raw);
        if (d === undefined) fail(i, `${JSON.stringify(raw)} is not a day (YYYY-MM-DD)`);
        else values.targetDate = d;
        break;
      }
      case 'state':
      case 'heldFrom': {
        const s = empty ? undefined : pick(raw, STATES, STATE_ZH, STATE_EXTRA);
        if (!empty && !s) fail(i, `${JSON.stringify(raw)} is not a state: ${STATES.map((x) => `${x}/${STATE_ZH[x]}`).join(', ')}`);
        if (key === 'state' && s) values.state = s;
        if (key === 'heldFrom') values.heldFrom = s ?? null;
        break;
      }
      case 'exemptBasis':
      case 'note':
        values[key] = empty ? null : raw;
        break;
      default: {
        const state = key.slice(0, -'Date'.length) as MigrationState;
        const d = empty ? null : readDay(raw);
        if (d === undefined) fail(i, `${JSON.stringify(raw)} is not a day (YYYY-MM-DD)`);
        else values.dates![state] = d;
      }
    }
  });
  return bad ? undefined : { row: rec.row, values, present };
}

/** The export: Chinese headers; codes, or Chinese labels with `lang: 'zh'`. Re-imports as is. */
export function writeInventoryCsv(systems: ReadonlyArray<SystemRecord & { agencyName: string }>, lang: 'code' | 'zh' = 'code'): string {
  const rows: string[][] = [COLUMNS.map((c) => c.zh)];
  for (const s of systems) {
    rows.push(
      COLUMNS.map((c): string => {
        switch (c.key) {
          case 'id': return s.id;
          case 'name': return s.name;
          case 'agency': return s.agencyName;
          case 'district': return s.district;
          case 'track': return lang === 'zh' ? TRACK_ZH[s.track] : s.track;
          case 'fundingMode': return lang === 'zh' ? FUNDING_ZH[s.fundingMode] : s.fundingMode;
          case 'omCostYuan': return String(s.omCostYuan);
          case 'fiscalOm': return s.fiscalOm ? '是' : '否';
          case 'targetDate': return s.targetDate ?? '';
          case 'state': return lang === 'zh' ? STATE_ZH[s.state] : s.state;
          case 'exemptBasis': return s.exemptBasis ?? '';
          case 'heldFrom': return s.heldFrom ? (lang === 'zh' ? STATE_ZH[s.heldFrom] : s.heldFrom) : '';
          case 'note': return s.note ?? '';
          default: return s.stateDates[c.key.slice(0, -'Date'.length) as MigrationState] ?? '';
        }
      }),
    );
  }
  return writeCsv(rows);
}
