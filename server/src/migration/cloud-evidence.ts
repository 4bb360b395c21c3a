import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Point } from '@zhuyun/protocol';
import { StatusService } from '../status/status.service.js';
import type { MigrationState, SystemRecord } from './migration.model.js';

/** States in which a system should be running on the sub-platform. */
export const ON_CLOUD_STATES: ReadonlySet<MigrationState> = new Set(['trial', 'migrated', 'legacy_decommissioned']);

export interface UnitCloudEvidence {
  unit: string;
  /** `cloud.systems_running` of the unit, as the cloud_inventory probe last reported it. */
  running: number;
  /** Timestamp of that point (epoch ms). */
  at: number;
}

/**
 * What the cloud says about a system, beside its state. The collectors' `cloud_inventory` probe
 * sends only `cloud.systems_running` per unit to the server; the systems it saw (name, agency,
 * state) stay in the collector's memory (`lastInventory()`, `systemsSeen()`), so the server cannot
 * yet say that *this* system runs. Until the protocol carries them, the evidence of a system is its
 * unit's count: `systemSeenAt` stays null. docs/MIGRATION.md, "Cloud evidence".
 */
export interface SystemEvidence {
  /** Whether the inventory says the system should run on the cloud (trial, migrated, decommissioned legacy). */
  expectedOnCloud: boolean;
  /** The unit's running systems per the cloud, and when; null when the cloud has reported nothing for the unit. */
  unitRunning: number | null;
  unitSeenAt: number | null;
  /** When the cloud last listed this very system: null until system ids reach the server. */
  systemSeenAt: number | null;
}

/** Keeps the latest `cloud.systems_running` per unit from the accepted points (StatusService.onPoints). */
@Injectable()
export class CloudEvidence implements OnModuleInit, OnModuleDestroy {
  private readonly latest = new Map<string, UnitCloudEvidence>();
  private off?: () => void;

  constructor(private readonly status: StatusService) {}

  onModuleInit() {
    this.off = this.status.onPoints((points) => this.take(points));
  }

  onModuleDestroy() {
    this.off?.();
  }

  /** Takes the `cloud.systems_running` points of a batch; an older point never replaces a newer one. */
  take(points: readonly Point[]): void {
    for (const p of points) {
      if (p.metric !== 'cloud.systems_running') continue;
      const unit = p.tags.unit ?? p.tags.district;
      const before = this.latest.get(unit);
      if (!before || before.at <= p.ts) this.latest.set(unit, { unit, running: p.value, at: p.ts });
    }
  }

  unit(code: string): UnitCloudEvidence | null {
    return this.latest.get(code) ?? null;
  }

  units(): UnitCloudEvidence[] {
    return [...this.latest.values()];
  }

  forSystem(s: Pick<SystemRecord, 'district' | 'state'>): SystemEvidence {
    const u = this.latest.get(s.district);
    return { expectedOnCloud: ON_CLOUD_STATES.has(s.state), unitRunning: u?.running ?? null, unitSeenAt: u?.at ?? null, systemSeenAt: null };
  }
}
