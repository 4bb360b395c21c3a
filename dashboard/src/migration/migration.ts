import { CITY_CODE, FUNDING_MODES, MIGRATION_CHAIN, MIGRATION_FLAGS, MIGRATION_TRACKS, UNITS, findUnit, type HistoryEntry, type MigrationSummaryResponse, type SystemEvidence, type SystemFlags, type UnitMigrationLine } from '@zhuyun/protocol';
import { MIGRATION_STATES, STATE_COLOURS, type MigrationStateKey } from '../charts/leader.option';
import { BEIJING_TZ } from '../format/format';
import type { Locale } from '../i18n/messages';

/**
 * The migration inventory as the server answers it (server/src/migration, docs/MIGRATION.md) and
 * the view's pure helpers: filters in the URL, the query sent, counts of what is shown, history
 * grouped by change. The server computes the flags and the allowed next states; nothing here
 * re-derives them.
 */

export { MIGRATION_STATES, STATE_COLOURS, type MigrationStateKey };

/** The main path (docs/MIGRATION.md); the side states exempt, retired, on_hold are off it. */
export const CHAIN: readonly MigrationStateKey[] = MIGRATION_CHAIN;

/** `4/9` for a state on the main path, '' for a side state. */
export function stateStep(state: MigrationStateKey): string {
  const i = CHAIN.indexOf(state);
  return i < 0 ? '' : `${i + 1}/${CHAIN.length}`;
}

/** Later states on the main path than those the server lists as next (each needs the skipped days). */
export function forwardJumps(from: MigrationStateKey, allowedNext: readonly MigrationStateKey[]): MigrationStateKey[] {
  const a = CHAIN.indexOf(from);
  if (a < 0) return [];
  return CHAIN.slice(a + 2).filter((s) => !allowedNext.includes(s));
}

/** The main-path states between `from` and `to` (empty unless `to` is a forward jump). */
export function skippedStates(from: MigrationStateKey, to: MigrationStateKey): MigrationStateKey[] {
  const a = CHAIN.indexOf(from);
  const b = CHAIN.indexOf(to);
  return a >= 0 && b > a + 1 ? CHAIN.slice(a + 1, b) : [];
}

const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: BEIJING_TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** `2026-11-27 10:42:05`, Beijing time (history and evidence timestamps). */
export function formatDateTime(ms: number): string {
  const p: Record<string, string> = {};
  for (const x of dateTime.formatToParts(ms)) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}:${p.second}`;
}

/** The flags the server filters on (`?flag=`), and the SystemFlags field each reads. */
export const FLAGS = MIGRATION_FLAGS;
export type FlagKey = (typeof FLAGS)[number];
const FLAG_FIELD: Record<FlagKey, 'overdue' | 'stalled' | 'verificationBreach' | 'prematureGoLive' | 'omAtRisk'> = {
  overdue: 'overdue',
  stalled: 'stalled',
  verification_breach: 'verificationBreach',
  premature_go_live: 'prematureGoLive',
  om_at_risk: 'omAtRisk',
};

export const TRACKS = MIGRATION_TRACKS;
export type TrackKey = (typeof TRACKS)[number];
export { CITY_CODE, FUNDING_MODES };
export type FundingKey = (typeof FUNDING_MODES)[number];

/** Units an inventory system may belong to, in official order, city level last. */
export const INVENTORY_UNITS: readonly string[] = [...UNITS.map((u) => u.code), CITY_CODE];

export type { SystemFlags, VerificationClock } from '@zhuyun/protocol';
export type { SystemEvidence } from '@zhuyun/protocol';

export interface SystemView {
  id: string;
  name: string;
  agencyId: string;
  agencyName: string;
  district: string;
  track: TrackKey;
  fundingMode: FundingKey;
  omCostYuan: number;
  fiscalOm: boolean;
  targetDate: string | null;
  state: MigrationStateKey;
  stateDates: Partial<Record<MigrationStateKey, string | null>>;
  exemptBasis: string | null;
  heldFrom: MigrationStateKey | null;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  flags: SystemFlags;
  allowedNext: MigrationStateKey[];
  evidence: SystemEvidence;
}

export interface SystemList {
  ts: number;
  today: string;
  count: number;
  systems: SystemView[];
}

export type { HistoryEntry } from '@zhuyun/protocol';

export interface Agency {
  id: string;
  name: string;
  unit: string;
}

/** One unit's migration line (summary and live topic). */
export type UnitSummary = UnitMigrationLine;
export type SummaryResponse = MigrationSummaryResponse;

// --- filters -------------------------------------------------------------------------------------

export interface Filters {
  district: string;
  agency: string;
  state: string;
  track: string;
  flag: string;
  /** Free text: name, id or agency (client side). */
  q: string;
}

export const EMPTY_FILTERS: Filters = { district: '', agency: '', state: '', track: '', flag: '', q: '' };

const oneOf = (v: unknown, allowed: readonly string[]) => (typeof v === 'string' && allowed.includes(v) ? v : '');

/** Filters from the URL query; unknown values are dropped (a stale link opens unfiltered). */
export function filtersFromQuery(query: Record<string, unknown>): Filters {
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : '');
  return {
    district: oneOf(query.district, INVENTORY_UNITS),
    agency: str(query.agency),
    state: oneOf(query.state, MIGRATION_STATES),
    track: oneOf(query.track, TRACKS),
    flag: oneOf(query.flag, FLAGS),
    q: str(query.q),
  };
}

/** The URL query of the filters: only the ones set. */
export function queryOfFilters(f: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== '')) as Record<string, string>;
}

/**
 * GET /api/v1/migration/systems with what the server filters on (district, state, agency, flag).
 * Track and the free text are applied in the page (`applyClientFilters`).
 */
export function systemsUrl(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of ['district', 'state', 'agency', 'flag'] as const) if (f[k]) q.set(k, f[k]);
  const s = q.toString();
  return `/api/v1/migration/systems${s ? `?${s}` : ''}`;
}

export function applyClientFilters(systems: readonly SystemView[], f: Filters): SystemView[] {
  const needle = f.q.trim().toLowerCase();
  return systems.filter(
    (s) =>
      (!f.track || s.track === f.track) &&
      (!needle || s.name.toLowerCase().includes(needle) || s.id.toLowerCase().includes(needle) || s.agencyName.toLowerCase().includes(needle)),
  );
}

export function hasFlag(s: Pick<SystemView, 'flags'>, flag: FlagKey): boolean {
  return s.flags[FLAG_FIELD[flag]] === true;
}

export function flagsOf(s: Pick<SystemView, 'flags'>): FlagKey[] {
  return FLAGS.filter((f) => hasFlag(s, f));
}

/** Systems per state of a list (every state present, 0 when none). */
export function countByState(systems: readonly Pick<SystemView, 'state'>[]): Record<MigrationStateKey, number> {
  const c = Object.fromEntries(MIGRATION_STATES.map((s) => [s, 0])) as Record<MigrationStateKey, number>;
  for (const s of systems) c[s.state] = (c[s.state] ?? 0) + 1;
  return c;
}

export function countByFlag(systems: readonly Pick<SystemView, 'flags'>[]): Record<FlagKey, number> {
  const c = Object.fromEntries(FLAGS.map((f) => [f, 0])) as Record<FlagKey, number>;
  for (const s of systems) for (const f of flagsOf(s)) c[f]++;
  return c;
}

/** Agencies for the filter: those of the systems at hand (a district user may not list agencies). */
export function agenciesOf(systems: readonly Pick<SystemView, 'agencyId' | 'agencyName'>[]): Agency[] {
  const m = new Map<string, string>();
  for (const s of systems) m.set(s.agencyId, s.agencyName);
  return [...m].map(([id, name]) => ({ id, name, unit: '' })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** A unit's name for the inventory: districts and zones by name, 520100 as city level. */
export function inventoryUnitName(code: string, locale: Locale, cityLabel: string): string {
  if (code === CITY_CODE) return cityLabel;
  const u = findUnit(code);
  return u ? (locale === 'zh-CN' ? u.zh : u.en) : code;
}

// --- history -------------------------------------------------------------------------------------

export interface HistoryChange {
  changeId: string;
  at: number;
  /** The user name (`user:` taken off), `anonymous`, or the import's actor. */
  actor: string;
  source: string;
  fields: Array<{ field: string; before: string | null; after: string | null }>;
}

/** `user:admin` → `admin`. */
export function actorName(actor: string): string {
  return actor.startsWith('user:') ? actor.slice(5) : actor;
}

/** History rows (one per field, oldest first) as changes (fields changed together), newest first. */
export function groupHistory(entries: readonly HistoryEntry[]): HistoryChange[] {
  const out: HistoryChange[] = [];
  const byId = new Map<string, HistoryChange>();
  for (const e of entries) {
    let c = byId.get(e.changeId);
    if (!c) {
      c = { changeId: e.changeId, at: e.at, actor: actorName(e.actor), source: e.source, fields: [] };
      byId.set(e.changeId, c);
      out.push(c);
    }
    c.fields.push({ field: e.field, before: e.before, after: e.after });
  }
  return out.sort((a, b) => b.at - a.at);
}

// --- editing -------------------------------------------------------------------------------------

/** The editable fields of a system, as strings for the form. */
export interface SystemForm {
  name: string;
  agencyId: string;
  district: string;
  track: TrackKey;
  fundingMode: FundingKey;
  omCostYuan: string;
  fiscalOm: boolean;
  targetDate: string;
  exemptBasis: string;
  note: string;
}

export function formOf(s: SystemView): SystemForm {
  return {
    name: s.name,
    agencyId: s.agencyId,
    district: s.district,
    track: s.track,
    fundingMode: s.fundingMode,
    omCostYuan: String(s.omCostYuan),
    fiscalOm: s.fiscalOm,
    targetDate: s.targetDate ?? '',
    exemptBasis: s.exemptBasis ?? '',
    note: s.note ?? '',
  };
}

export const BLANK_FORM: SystemForm = {
  name: '',
  agencyId: '',
  district: '',
  track: 'existing',
  fundingMode: 'fiscal_build',
  omCostYuan: '',
  fiscalOm: true,
  targetDate: '',
  exemptBasis: '',
  note: '',
};

/** Problems a person can fix before sending (message keys under migration.edit.problem). */
export function formProblems(f: SystemForm): Partial<Record<keyof SystemForm, string>> {
  const p: Partial<Record<keyof SystemForm, string>> = {};
  if (!f.name.trim()) p.name = 'required';
  if (!f.agencyId) p.agencyId = 'required';
  if (!f.district) p.district = 'required';
  if (!/^\d+$/.test(f.omCostYuan.trim())) p.omCostYuan = 'wholeYuan';
  if (f.targetDate && !/^\d{4}-\d{2}-\d{2}$/.test(f.targetDate)) p.targetDate = 'day';
  return p;
}

/** The PATCH body: the fields that differ from the stored system (empty text clears a nullable field). */
export function patchOf(before: SystemView, f: SystemForm): Record<string, unknown> {
  const after = {
    name: f.name.trim(),
    agencyId: f.agencyId,
    district: f.district,
    track: f.track,
    fundingMode: f.fundingMode,
    omCostYuan: Number(f.omCostYuan.trim()),
    fiscalOm: f.fiscalOm,
    targetDate: f.targetDate || null,
    exemptBasis: f.exemptBasis.trim() || null,
    note: f.note.trim() || null,
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if ((before as unknown as Record<string, unknown>)[k] !== v) out[k] = v;
  return out;
}

/** The POST body of a new system (optional fields only when filled). */
export function createBodyOf(f: SystemForm, state: string, stateDate: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: f.name.trim(),
    agencyId: f.agencyId,
    district: f.district,
    track: f.track,
    fundingMode: f.fundingMode,
    omCostYuan: Number(f.omCostYuan.trim()),
    fiscalOm: f.fiscalOm,
  };
  if (f.targetDate) body.targetDate = f.targetDate;
  if (f.exemptBasis.trim()) body.exemptBasis = f.exemptBasis.trim();
  if (f.note.trim()) body.note = f.note.trim();
  if (state && state !== 'inventoried') body.state = state;
  if (stateDate) body.stateDates = { [state || 'inventoried']: stateDate };
  return body;
}
