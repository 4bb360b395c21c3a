import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DATABASE, type Db } from '../db/database.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { ScopeModule } from '../security/scope.js';
import { StatusModule } from '../status/status.module.js';
import { AlertRulesController, AlertsController, NotificationChannelsController, SilencesController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { AlertsStore } from './alerts.store.js';
import { NotifierService } from './notifier.service.js';

/** Alert rules, the alert engine, silences, notifications (docs/ALERTS.md). Exports AlertsService. */
@Module({
  imports: [StatusModule, AuthModule, ScopeModule, IngestModule],
  controllers: [AlertsController, AlertRulesController, SilencesController, NotificationChannelsController],
  providers: [{ provide: AlertsStore, inject: [DATABASE], useFactory: (db: Db) => new AlertsStore(db) }, NotifierService, AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
