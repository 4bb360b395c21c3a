import { MIGRATION_FLAGS, type MigrationFlag, type SystemFlags, type UnitMigrationSummary, type VerificationClock } from '@zhuyun/protocol';
import { CHAIN, CLOSED_STATES, DONE_STATES, type MigrationState, type SystemRecord } from './migration.model.js';
import { calendarCovers, daysBetween, nthWorkingDayAfter, workingDaysAfter } from './working-days.js';

/**
 * The derived flags of a system and the per-unit summary: pure functions of the records and of
 * "today" (a Shanghai day). docs/MIGRATION.md gives the method and the reasons.
 */

/** Article 13: the bureau verifies within 5 working days of accepting the application. */
export const VERIFY_WITHIN_WORKING_DAYS = 5;
/** Article 13: a trial of at least 10 days from verification before the system opens. */
export const MIN_TRIAL_DAYS = 10;

/**
 * Days in one state after which a system is `stalled`. Proposed defaults (research/domain.md §5.3
 * for assessed, migrating and trial; the others sized the same way). Final states never stall.
 * `migrated` stalls when the legacy system keeps running (and costing) 90 days after migration.
 */
export const DEFAULT_STALL_DAYS: Readonly<Partial<Record<MigrationState, number>>> = {
  inventoried: 90,
  assessed: 60,
  applied: 20,
  accepted: 10,
  verified: 30,
  migrating: 90,
  trial: 30,
  migrated: 90,
  on_hold: 180,
};

export type FlagName = MigrationFlag;
export const FLAG_NAMES: readonly FlagName[] = MIGRATION_FLAGS;

export type { SystemFlags, VerificationClock } from '@zhuyun/protocol';

/** `overdue`: past the agreed target day and not migrated, decommissioned, exempt or retired. */
export function isOverdue(r: Pick<SystemRecord, 'targetDate' | 'state'>, today: string): boolean {
  return r.targetDate !== null && !CLOSED_STATES.has(r.state) && daysBetween(r.targetDate, today) > 0;
}

/** `stalled`: longer than the state's limit in the current state (days since the state's day). */
export function isStalled(r: Pick<SystemRecord, 'state' | 'stateDates'>, today: string, limits = DEFAULT_STALL_DAYS): boolean {
  const limit = limits[r.state];
  const since = r.stateDates[r.state];
  return limit !== undefined && !!since && daysBetween(since, today) > limit;
}

/**
 * The Article 13 verification clock: from the accepted day, 5 working days by the official
 * calendar. Closed when verified (breach when verified after the 5th working day), open while
 * the system is still `accepted` (breach once today is past the deadline). Null when the system
 * has no accepted day, or has left `accepted` without a verified day (returned, retired).
 */
export function verificationClock(r: Pick<SystemRecord, 'state' | 'stateDates'>, today: string): VerificationClock | null {
  const accepted = r.stateDates.accepted;
  if (!accepted) return null;
  const verified = r.stateDates.verified ?? null;
  if (!verified && r.state !== 'accepted') return null;
  const end = verified ?? today;
  const workingDays = workingDaysAfter(accepted, end);
  const deadline = nthWorkingDayAfter(accepted, VERIFY_WITHIN_WORKING_DAYS);
  const lastYear = Number((daysBetween(end, deadline) > 0 ? deadline : end).slice(0, 4));
  let calendarComplete = true;
  for (let y = Number(accepted.slice(0, 4)); y <= lastYear; y++) if (!calendarCovers(y)) calendarComplete = false;
  return { acceptedDate: accepted, deadline, verifiedDate: verified, workingDays, breach: workingDays > VERIFY_WITHIN_WORKING_DAYS, calendarComplete };
}

/**
 * `premature_go_live`: migrated (or decommissioned) after a trial shorter than 10 days. The law
 * counts the trial from verification; the `trial` state starts on or after that day, so counting
 * from the trial day is at least as strict. Without a trial day the verification day is used;
 * without either, or without a migrated day, nothing can be said (null days, no flag).
 */
export function trialDays(r: Pick<SystemRecord, 'stateDates'>): number | null {
  const start = r.stateDates.trial ?? r.stateDates.verified;
  const end = r.stateDates.migrated;
  return start && end ? daysBetween(start, end) : null;
}

export function isPrematureGoLive(r: Pick<SystemRecord, 'state' | 'stateDates'>): boolean {
  const days = trialDays(r);
  return DONE_STATES.has(r.state) && days !== null && days < MIN_TRIAL_DAYS;
}

/** `om_at_risk` (Article 11): not migrated (nor decommissioned), exempt or retired, with fiscal O&M. */
export function isOmAtRisk(r: Pick<SystemRecord, 'state' | 'fiscalOm'>): boolean {
  return r.fiscalOm && !CLOSED_STATES.has(r.state);
}

export function flagsOf(r: SystemRecord, today: string, stallLimits = DEFAULT_STALL_DAYS): SystemFlags {
  const overdue = isOverdue(r, today);
  const since = r.stateDates[r.state];
  const verification = verificationClock(r, today);
  const omAtRisk = isOmAtRisk(r);
  return {
    overdue,
    overdueDays: overdue ? daysBetween(r.targetDate!, today) : 0,
    stalled: isStalled(r, today, stallLimits),
    daysInState: since ? daysBetween(since, today) : null,
    verificationBreach: verification?.breach ?? false,
    verification,
    prematureGoLive: isPrematureGoLive(r),
    trialDays: trialDays(r),
    omAtRisk,
    omAtRiskYuan: omAtRisk ? r.omCostYuan : 0,
  };
}

export function hasFlag(f: SystemFlags, name: FlagName): boolean {
  switch (name) {
    case 'overdue': return f.overdue;
    case 'stalled': return f.stalled;
    case 'verification_breach': return f.verificationBreach;
    case 'premature_go_live': return f.prematureGoLive;
    case 'om_at_risk': return f.omAtRisk;
  }
}

// --- summary --------------------------------------------------------------------------------

export type { UnitMigrationSummary } from '@zhuyun/protocol';

export function emptyCounts(): Record<MigrationState, number> {
  return Object.fromEntries([...CHAIN, 'exempt', 'retired', 'on_hold'].map((s) => [s, 0])) as Record<MigrationState, number>;
}

/** Adds up records (all of one unit, or all units for a city total). */
export function summarise(unit: string, records: readonly SystemRecord[], today: string, stallLimits = DEFAULT_STALL_DAYS): UnitMigrationSummary {
  const counts = emptyCounts();
  const s: UnitMigrationSummary = {
    unit, inScope: records.length, counts, migrated: 0, exempt: 0, retired: 0, denominator: 0, migrationRate: null,
    overdue: 0, stalled: 0, verificationBreach: 0, prematureGoLive: 0, omAtRisk: 0, omAtRiskYuan: 0,
  };
  for (const r of records) {
    counts[r.state]++;
    const f = flagsOf(r, today, stallLimits);
    if (f.overdue) s.overdue++;
    if (f.stalled) s.stalled++;
    if (f.verificationBreach) s.verificationBreach++;
    if (f.prematureGoLive) s.prematureGoLive++;
    if (f.omAtRisk) {
      s.omAtRisk++;
      s.omAtRiskYuan += f.omAtRiskYuan;
    }
  }
  s.migrated = counts.migrated + counts.legacy_decommissioned;
  s.exempt = counts.exempt;
  s.retired = counts.retired;
  s.denominator = s.inScope - s.exempt - s.retired;
  s.migrationRate = s.denominator > 0 ? s.migrated / s.denominator : null;
  return s;
}

// --- as of a past day -------------------------------------------------------------------------

/**
 * The record as it stood at the end of day `asOf`, reconstructed from its state days: the state
 * with the latest day on or before `asOf` (a tie goes to the later state: the current state, then
 * the later chain state). Null when no day of the record is on or before `asOf` (not yet in the
 * inventory). A limitation, documented: an earlier attempt undone by a back move (its days
 * cleared) and the time spent on hold before a resumption are not seen; the history table has them.
 */
export function asOfDay(r: SystemRecord, asOf: string): SystemRecord | null {
  const order: MigrationState[] = [...CHAIN, 'exempt', 'retired', 'on_hold'];
  let best: { state: MigrationState; day: string; rank: number } | undefined;
  for (const s of order) {
    const day = r.stateDates[s];
    if (!day || daysBetween(day, asOf) < 0) continue;
    const rank = s === r.state ? order.length : order.indexOf(s);
    if (!best || daysBetween(best.day, day) > 0 || (day === best.day && rank > best.rank)) best = { state: s, day, rank };
  }
  if (!best) return null;
  const dates = Object.fromEntries(Object.entries(r.stateDates).filter(([, d]) => d && daysBetween(d, asOf) >= 0));
  return { ...r, state: best.state, stateDates: dates };
}
