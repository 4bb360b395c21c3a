import { CITY_CODE, FUNDING_MODES, MIGRATION_CHAIN, MIGRATION_SIDE_STATES, MIGRATION_STATES, MIGRATION_TRACKS, RETIRED_CODES, UNITS, findUnit, type MigrationState } from '@zhuyun/protocol';
import { daysBetween, isDay } from './working-days.js';

/**
 * The migration inventory of Article 11 and the onboarding steps of Article 13: states, the
 * transition graph, funding modes, and the consistency rules of a system record. Pure: no I/O,
 * "today" passed in. docs/MIGRATION.md explains each choice.
 */

/** The main path, in order (protocol/): a system moves forward along it (or back for rework). */
export const CHAIN = MIGRATION_CHAIN;
export const SIDE_STATES = MIGRATION_SIDE_STATES;
export const STATES = MIGRATION_STATES;
export type ChainState = (typeof CHAIN)[number];
export type { MigrationState };
export { CITY_CODE, FUNDING_MODES };

export const STATE_ZH: Record<MigrationState, string> = {
  inventoried: '已登记',
  assessed: '已评估',
  applied: '已申请',
  accepted: '已受理',
  verified: '已核验',
  migrating: '迁移中',
  trial: '试运行',
  migrated: '已迁移',
  legacy_decommissioned: '原系统已下线',
  exempt: '豁免',
  retired: '已停用',
  on_hold: '暂缓',
};

/**
 * Funding modes of Article 2 (what makes a system an in-scope "information system"): built with
 * fiscal funds; built jointly with fiscal and non-fiscal funds; bought by the agency as a service
 * from a third party; or, whatever built it, run and maintained with fiscal funds.
 */
export type FundingMode = (typeof FUNDING_MODES)[number];
export const FUNDING_ZH: Record<FundingMode, string> = {
  fiscal_build: '财政投资建设',
  joint_build: '财政与非财政共建',
  purchased_service: '购买服务',
  fiscal_om: '财政运维',
};

/** `new`: built or renovated, must deploy on the sub-platform from the start; `existing`: migrates by its target date. */
export const TRACKS = MIGRATION_TRACKS;
export type Track = (typeof TRACKS)[number];
export const TRACK_ZH: Record<Track, string> = { new: '新建', existing: '存量' };

/** States where the system is on the sub-platform for good (counted as migrated). */
export const DONE_STATES: ReadonlySet<MigrationState> = new Set(['migrated', 'legacy_decommissioned']);
/** States that need no further migration (overdue and O&M at risk never apply). */
export const CLOSED_STATES: ReadonlySet<MigrationState> = new Set(['migrated', 'legacy_decommissioned', 'exempt', 'retired']);

/**
 * Transitions allowed in one step, besides moving forward along the chain (which may skip states
 * when the skipped states' dates are given: a spreadsheet updated monthly jumps several steps).
 * Back moves are the rework paths: a returned application, a failed verification, a failed trial.
 */
export const TRANSITIONS: Readonly<Record<MigrationState, readonly MigrationState[]>> = {
  inventoried: ['assessed', 'exempt', 'retired', 'on_hold'],
  assessed: ['applied', 'inventoried', 'exempt', 'retired', 'on_hold'],
  applied: ['accepted', 'assessed', 'retired', 'on_hold'],
  accepted: ['verified', 'assessed', 'retired'],
  verified: ['migrating', 'trial', 'assessed', 'retired', 'on_hold'],
  migrating: ['trial', 'assessed', 'retired', 'on_hold'],
  trial: ['migrated', 'migrating', 'retired'],
  migrated: ['legacy_decommissioned', 'retired'],
  legacy_decommissioned: ['retired'],
  exempt: ['inventoried', 'retired'],
  retired: [],
  // plus back to the state it was held from (heldFrom)
  on_hold: ['inventoried', 'exempt', 'retired'],
};

/** A unit that may own agencies and systems: the 14 units, or 520100 for city-level (市本级) agencies. */
export function normaliseUnit(code: string): string | undefined {
  const c = RETIRED_CODES[code] ?? code;
  if (c === CITY_CODE || findUnit(c)) return c;
  const byName = UNITS.find((u) => u.zh === code || u.zhShort === code || u.en.toLowerCase() === code.toLowerCase());
  if (byName) return byName.code;
  if (code === '市本级' || code === '贵阳市') return CITY_CODE;
  return undefined;
}
export const UNIT_CODES: readonly string[] = [...UNITS.map((u) => u.code), CITY_CODE];

export type StateDates = Partial<Record<MigrationState, string | null>>;

/** A system's record as the rules see it (API field names). */
export interface SystemRecord {
  id: string;
  name: string;
  agencyId: string;
  district: string;
  track: Track;
  fundingMode: FundingMode;
  /** Yearly operation and maintenance cost, whole CNY yuan. */
  omCostYuan: number;
  /** O&M paid by the finance department: what Article 11 withdraws when the system is not migrated. */
  fiscalOm: boolean;
  /** Agreed target day (Asia/Shanghai), `YYYY-MM-DD`; null when none is agreed yet. */
  targetDate: string | null;
  state: MigrationState;
  /** The day each state was (last) entered, Asia/Shanghai. */
  stateDates: StateDates;
  /** The law or regulation cited for an exemption (Article 11: only law or regulation exempts). */
  exemptBasis: string | null;
  /** For `on_hold`: the state it was held from, where it resumes. */
  heldFrom: MigrationState | null;
  note: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}

const chainIndex = (s: MigrationState) => (CHAIN as readonly string[]).indexOf(s);

/** Whether `from -> to` is allowed, given the dates the record will have after the change. */
export function transitionAllowed(from: MigrationState, to: MigrationState, dates: StateDates, heldFrom: MigrationState | null): boolean {
  if (from === to) return true;
  if (TRANSITIONS[from].includes(to)) return true;
  if (from === 'on_hold' && heldFrom === to) return true;
  const a = chainIndex(from);
  const b = chainIndex(to);
  // Forward along the chain, skipping states whose dates are given.
  if (a >= 0 && b > a + 1) return CHAIN.slice(a + 1, b).every((s) => !!dates[s]);
  return false;
}

/**
 * Every rule a record must satisfy, before (`null` for a new record) and after a change; returns
 * the problems by field (empty when the record is good). Rules: the transition is allowed; the
 * current state has its date; no date after today; chain dates in order; no chain date after the
 * current position (a back move clears them, see `clearLaterDates`); exempt cites its basis; the
 * `fiscal_om` funding mode implies fiscal O&M; a known unit; the cost a whole non-negative number.
 */
export function checkRecord(before: SystemRecord | null, after: SystemRecord, today: string): FieldError[] {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field, message });
  if (!after.name.trim()) err('name', 'must not be empty');
  if (!UNIT_CODES.includes(after.district)) err('district', `${JSON.stringify(after.district)} is not a district or zone code (or ${CITY_CODE} for city level)`);
  if (!Number.isSafeInteger(after.omCostYuan) || after.omCostYuan < 0) err('omCostYuan', 'must be a whole number of yuan, 0 or more');
  if (after.fundingMode === 'fiscal_om' && !after.fiscalOm) err('fiscalOm', 'must be yes when the funding mode is fiscal_om (O&M on fiscal funds)');
  if (after.targetDate !== null && !isDay(after.targetDate)) err('targetDate', `${JSON.stringify(after.targetDate)} is not a day YYYY-MM-DD`);
  if (after.state === 'exempt' && !after.exemptBasis?.trim()) err('exemptBasis', 'an exempt system must cite the law or regulation that exempts it (Article 11)');
  if (after.state === 'on_hold' && (!after.heldFrom || after.heldFrom === 'on_hold')) err('heldFrom', 'an on_hold system needs the state it was held from');

  for (const [s, d] of Object.entries(after.stateDates) as Array<[MigrationState, string | null | undefined]>) {
    if (!d) continue;
    if (!isDay(d)) err(`${s}Date`, `${JSON.stringify(d)} is not a day YYYY-MM-DD`);
    else if (daysBetween(today, d) > 0) err(`${s}Date`, `${d} is in the future (today is ${today})`);
  }
  if (!after.stateDates[after.state]) err(`${after.state}Date`, `the current state ${after.state} needs the day it was entered`);

  // Chain dates in order, and none beyond where the system stands on the chain.
  const position = chainIndex(after.state === 'on_hold' ? (after.heldFrom ?? 'inventoried') : after.state);
  let last: { state: string; day: string } | undefined;
  CHAIN.forEach((s, i) => {
    const d = after.stateDates[s];
    if (!d || !isDay(d)) return;
    if (position >= 0 && i > position) err(`${s}Date`, `is set but the system has not reached ${s} (state ${after.state}): clear it`);
    if (last && daysBetween(last.day, d) < 0) err(`${s}Date`, `${d} is before ${last.state}Date ${last.day}`);
    last = { state: s, day: d };
  });

  if (before && !transitionAllowed(before.state, after.state, after.stateDates, before.heldFrom)) {
    const skipped = chainIndex(after.state) > chainIndex(before.state) + 1 && chainIndex(before.state) >= 0;
    err(
      'state',
      `${before.state} -> ${after.state} is not allowed` +
        (skipped ? ` unless the dates of the states in between are given (${CHAIN.slice(chainIndex(before.state) + 1, chainIndex(after.state)).join(', ')})` : `; from ${before.state}: ${allowedFrom(before).join(', ') || 'none (final)'}`),
    );
  }
  return errors;
}

/** The states reachable in one step from a record's state. */
export function allowedFrom(r: Pick<SystemRecord, 'state' | 'heldFrom'>): MigrationState[] {
  const next = [...TRANSITIONS[r.state]];
  const i = chainIndex(r.state);
  if (i >= 0 && i + 1 < CHAIN.length && !next.includes(CHAIN[i + 1])) next.push(CHAIN[i + 1]);
  if (r.state === 'on_hold' && r.heldFrom && !next.includes(r.heldFrom)) next.unshift(r.heldFrom);
  return next;
}

/**
 * A state change as the API makes it (PATCH): sets the new state's day (given or today), clears the
 * chain days beyond a back move (they belonged to the abandoned attempt; the history keeps them),
 * remembers where an on_hold came from.
 */
export function applyStateChange(before: SystemRecord, to: MigrationState, day: string, givenDates: StateDates = {}): SystemRecord {
  const dates: StateDates = { ...before.stateDates, ...givenDates, [to]: day };
  let heldFrom = before.heldFrom;
  if (to === 'on_hold') heldFrom = before.state === 'on_hold' ? before.heldFrom : before.state;
  else heldFrom = null;
  const target = chainIndex(to);
  if (target >= 0) CHAIN.slice(target + 1).forEach((s) => (dates[s] = null));
  return { ...before, state: to, stateDates: dates, heldFrom };
}
