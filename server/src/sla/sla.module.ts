import { Global, Module } from '@nestjs/common';
import { MAINTENANCE_CALENDAR } from '../common/domain-events.js';
import { StatusModule } from '../status/status.module.js';
import { MaintenanceController } from './maintenance.controller.js';
import { MaintenanceService } from './maintenance.service.js';
import { SlaController } from './sla.controller.js';
import { SlaEngine } from './sla.engine.js';
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
  providers: [MaintenanceService, SlaEngine, SlaService, { provide: MAINTENANCE_CALENDAR, useExisting: MaintenanceService }],
  exports: [MAINTENANCE_CALENDAR, MaintenanceService, SlaService, SlaEngine],
})
export class SlaModule {}
