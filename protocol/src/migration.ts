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
