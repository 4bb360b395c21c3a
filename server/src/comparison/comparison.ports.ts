/**
 * What the district comparison reads from the SLA and migration modules, per unit and month. They
 * provide these tokens from @Global modules; the comparison injects them with @Optional() and shows
 * `null` (not measured) for a part whose module is absent.
 */
export const SLA_FIGURES = Symbol('SLA_FIGURES');
export const MIGRATION_FIGURES = Symbol('MIGRATION_FIGURES');

export interface UnitAvailability {
  /** UP / (UP + DOWN) in %, null when there was no UP or DOWN minute. */
  availabilityPct: number | null;
  upMinutes: number;
  downMinutes: number;
  noDataMinutes: number;
  /** Incidents that started in the month, by severity (`P1`, `P2`, `P3`). */
  incidents: Record<string, number>;
  /** Mean time to repair of the month's closed incidents, minutes; null when none closed. */
  mttrMinutes: number | null;
}

export interface UnitMigration {
  migrated: number;
  /** In scope − exempt − retired. */
  denominator: number;
  /** migrated / denominator in %, null when the denominator is 0. */
  ratePct: number | null;
  overdue: number;
  omAtRisk: number;
  /** Yearly O&M cost at risk, CNY. */
  omAtRiskCny: number;
}

export interface SlaFigures {
  /** Per unit code, for the month (`YYYY-MM`, Beijing time). */
  availabilityByUnit(month: string): Promise<Map<string, UnitAvailability>>;
}

export interface MigrationFigures {
  /** Per unit code, as of the end of the month (or now for the current month). */
  migrationByUnit(month: string): Promise<Map<string, UnitMigration>>;
}
