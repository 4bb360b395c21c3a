/**
 * The migration inventory's cloud evidence (docs/MIGRATION.md "Cloud evidence"), as the server
 * serves it with each system and the dashboard shows it.
 */
export interface SystemEvidence {
  /** Whether the inventory says the system should run on the cloud (trial, migrated, decommissioned legacy). */
  expectedOnCloud: boolean;
  /** The unit's running systems per the cloud (`cloud.systems_running`), and when; null when the cloud has reported nothing for the unit. */
  unitRunning: number | null;
  unitSeenAt: number | null;
  /** When the cloud last listed this very system (`cloud.system_running`), running or not; null when it never did. */
  systemSeenAt: number | null;
  /** `running`, `listed` (in another state), or null when the cloud never listed it. */
  systemState: 'running' | 'listed' | null;
  /**
   * The inventory and the cloud disagree: expected on the cloud but not listed running while the
   * cloud reports the unit, or listed running while the inventory says it is not there yet.
   */
  mismatch: boolean;
}

/** The main path of a system onto the cloud sub-platform (Articles 11 and 13; docs/MIGRATION.md). */
export const MIGRATION_CHAIN = ['inventoried', 'assessed', 'applied', 'accepted', 'verified', 'migrating', 'trial', 'migrated', 'legacy_decommissioned'] as const;
/** States off the main path. */
export const MIGRATION_SIDE_STATES = ['exempt', 'retired', 'on_hold'] as const;
/** Every state: the main path in order, then the side states. */
export const MIGRATION_STATES = [...MIGRATION_CHAIN, ...MIGRATION_SIDE_STATES] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];

/** New construction or an existing system. */
export const MIGRATION_TRACKS = ['new', 'existing'] as const;
export const FUNDING_MODES = ['fiscal_build', 'joint_build', 'purchased_service', 'fiscal_om'] as const;
/** City-level (市本级) agencies' unit, beside the 10 districts and 4 zones. */
export const CITY_CODE = '520100';

/** The flags the server computes and filters on (`?flag=`). */
export const MIGRATION_FLAGS = ['overdue', 'stalled', 'verification_breach', 'premature_go_live', 'om_at_risk'] as const;
export type MigrationFlag = (typeof MIGRATION_FLAGS)[number];

export interface VerificationClock {
  acceptedDate: string;
  /** The 5th working day after acceptance: the last day verification is on time. */
  deadline: string;
  /** The verification day, or null while it is still awaited. */
  verifiedDate: string | null;
  /** Working days after acceptance up to verification (or up to today while awaited). */
  workingDays: number;
  breach: boolean;
  /** False when a day of the count lies in a year the official calendar does not cover yet (weekends only). */
  calendarComplete: boolean;
}

export interface SystemFlags {
  overdue: boolean;
  /** Days past the target date (0 when not overdue). */
  overdueDays: number;
  stalled: boolean;
  /** Days in the current state (since its day). */
  daysInState: number | null;
  verificationBreach: boolean;
  verification: VerificationClock | null;
  prematureGoLive: boolean;
  /** Days of trial before migration (from the trial day, or the verification day when no trial day). */
  trialDays: number | null;
  omAtRisk: boolean;
  /** The yearly O&M cost at risk, yuan (0 when not at risk). */
  omAtRiskYuan: number;
}

/** The cloud's own count of a unit's running systems (`cloud.systems_running`), and when. */
export interface UnitCloudEvidence {
  unit: string;
  running: number;
  /** Timestamp of that point (epoch ms). */
  at: number;
}

/** A unit's (or the total's) migration figures. */
export interface UnitMigrationSummary {
  unit: string;
  /** Systems in scope (every system of the unit in the inventory). */
  inScope: number;
  counts: Record<MigrationState, number>;
  /** migrated + legacy_decommissioned */
  migrated: number;
  exempt: number;
  retired: number;
  /** inScope − exempt − retired */
  denominator: number;
  /** migrated / denominator; null when the denominator is 0. */
  migrationRate: number | null;
  overdue: number;
  stalled: number;
  verificationBreach: number;
  prematureGoLive: number;
  omAtRisk: number;
  omAtRiskYuan: number;
}

/** One unit's line of `GET /api/v1/migration/summary` and the `migration` live topic. */
export interface UnitMigrationLine extends UnitMigrationSummary {
  kind: 'district' | 'zone' | 'city';
  zh: string;
  /** Systems the inventory has in trial, migrated or decommissioned-legacy (should run on the cloud). */
  expectedOnCloud: number;
  /** The cloud's own count (cloud_inventory probe), null when none reported. */
  cloud: UnitCloudEvidence | null;
}

export interface MigrationSummaryResponse {
  ts: number;
  /** The Shanghai day the flags were computed for. */
  today: string;
  units: UnitMigrationLine[];
  total: UnitMigrationSummary;
}

/** One field of one change, as the history of a system or an agency lists it (who, when, before → after). */
export interface HistoryEntry {
  entity: 'system' | 'agency';
  entityId: string;
  changeId: string;
  at: number;
  actor: string;
  source: string;
  field: string;
  before: string | null;
  after: string | null;
}
