import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Point, SystemEvidence, UnitCloudEvidence } from '@zhuyun/protocol';
import { StatusService } from '../status/status.service.js';
import type { MigrationState, SystemRecord } from './migration.model.js';

/** States in which a system should be running on the sub-platform. */
export const ON_CLOUD_STATES: ReadonlySet<MigrationState> = new Set(['trial', 'migrated', 'legacy_decommissioned']);

export type { UnitCloudEvidence } from '@zhuyun/protocol';

/**
 * What the cloud says about a system, beside its state. The collectors' `cloud_inventory` probe sends
 * `cloud.systems_running` per unit and `cloud.system_running` per listed system (tags `system`,
 * `agency`; 1 running, 0 listed in another state). A system of the inventory is matched to the
 * cloud's listing within its unit by name or by id (case, width and spaces ignored).
 * docs/MIGRATION.md, "Cloud evidence".
 */
export type { SystemEvidence } from '@zhuyun/protocol';

/** A name or id as compared with the cloud's listing: NFKC, lower case, no spaces. */
export function matchKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** Keeps the latest `cloud.systems_running` per unit and `cloud.system_running` per system from the accepted points. */
@Injectable()
export class CloudEvidence implements OnModuleInit, OnModuleDestroy {
  private readonly latest = new Map<string, UnitCloudEvidence>();
  /** `${unit}\0${matchKey(system)}` → the latest listing. */
  private readonly systems = new Map<string, { running: boolean; at: number }>();
  /** Per unit, the time of the newest listing: one reading stamps all its systems alike. */
  private readonly lastListing = new Map<string, number>();
  private off?: () => void;

  constructor(private readonly status: StatusService) {}

  onModuleInit() {
    this.off = this.status.onPoints((points) => this.take(points));
  }

  onModuleDestroy() {
    this.off?.();
  }

  /** Takes the cloud points of a batch; an older point never replaces a newer one. */
  take(points: readonly Point[]): void {
    for (const p of points) {
      if (p.metric === 'cloud.systems_running') {
        const unit = p.tags.unit ?? p.tags.district;
        const before = this.latest.get(unit);
        if (!before || before.at <= p.ts) this.latest.set(unit, { unit, running: p.value, at: p.ts });
      } else if (p.metric === 'cloud.system_running' && p.tags.system) {
        const unit = p.tags.unit ?? p.tags.district;
        const key = `${unit}\u0000${matchKey(p.tags.system)}`;
        const before = this.systems.get(key);
        if (!before || before.at <= p.ts) this.systems.set(key, { running: p.value > 0, at: p.ts });
        if ((this.lastListing.get(unit) ?? -Infinity) < p.ts) this.lastListing.set(unit, p.ts);
      }
    }
  }

  unit(code: string): UnitCloudEvidence | null {
    return this.latest.get(code) ?? null;
  }

  units(): UnitCloudEvidence[] {
    return [...this.latest.values()];
  }

  forSystem(s: Pick<SystemRecord, 'id' | 'name' | 'district' | 'state'>): SystemEvidence {
    const u = this.latest.get(s.district);
    const seen = this.systems.get(`${s.district}\u0000${matchKey(s.name)}`) ?? this.systems.get(`${s.district}\u0000${matchKey(s.id)}`);
    const expectedOnCloud = ON_CLOUD_STATES.has(s.state);
    const systemState = seen ? (seen.running ? 'running' : 'listed') : null;
    // A system missing from the unit's latest reading is no longer listed (what it last was stays shown).
    const current = !!seen && seen.at >= (this.lastListing.get(s.district) ?? -Infinity);
    const runningNow = systemState === 'running' && current;
    const mismatch = u !== undefined && (expectedOnCloud ? !runningNow : runningNow);
    return { expectedOnCloud, unitRunning: u?.running ?? null, unitSeenAt: u?.at ?? null, systemSeenAt: seen?.at ?? null, systemState, mismatch };
  }
}
