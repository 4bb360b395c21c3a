import { Global, Module } from '@nestjs/common';
import { MAINTENANCE_CALENDAR } from '../common/domain-events.js';
import { SLA_FIGURES, type SlaFigures } from '../comparison/comparison.ports.js';
import { StatusModule } from '../status/status.module.js';
import { MaintenanceController } from './maintenance.controller.js';
import { MaintenanceService } from './maintenance.service.js';
import { SlaAccess } from './sla.access.js';
import { SlaController } from './sla.controller.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { ENGINE_TIMINGS, SlaEngine, type EngineTimings } from './sla.engine.js';
import { SlaService } from './sla.service.js';

/**
 * SLA of the operation contract (Article 12): minute scoring, contracts, incidents, maintenance
 * windows, reclassifications, monthly reports. Global so that the alert engine can inject the
 * MaintenanceCalendar (MAINTENANCE_CALENDAR) and the district comparison SlaService.
 */
@Global()
@Module({
  imports: [StatusModule],
  controllers: [SlaController, MaintenanceController],
  providers: [
    MaintenanceService,
    SlaEngine,
    SlaService,
    SlaAccess,
    {
      provide: ENGINE_TIMINGS,
      inject: [CONFIG],
      useFactory: (config: AppConfig): EngineTimings => ({
        flushEveryMs: 2_000,
        finaliseEveryMs: Math.min(10_000, Math.max(1_000, config.slaGraceMs / 2)),
        graceMs: config.slaGraceMs,
      }),
    },
    { provide: MAINTENANCE_CALENDAR, useExisting: MaintenanceService },
    // The district comparison's availability per unit: 24x7, every DOWN minute counted.
    {
      provide: SLA_FIGURES,
      inject: [SlaService],
      useFactory: (sla: SlaService): SlaFigures => ({
        async availabilityByUnit(month) {
          const rows = await sla.unitMonths(month);
          return new Map(
            rows.map((r) => [
              r.unit,
              { availabilityPct: r.availabilityPct, upMinutes: r.up, downMinutes: r.down, noDataMinutes: r.noData, incidents: { ...r.incidents }, mttrMinutes: r.mttrMinutes },
            ]),
          );
        },
      }),
    },
  ],
  exports: [MAINTENANCE_CALENDAR, SLA_FIGURES, MaintenanceService, SlaService, SlaEngine],
})
export class SlaModule {}
