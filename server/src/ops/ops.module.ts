import { Global, Module } from '@nestjs/common';
import { ALERT_METRICS } from './alert-metrics.js';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health.registry.js';
import { MetricsService } from './metrics.service.js';

/**
 * Health, readiness and the server's own metrics. Global: MetricsService, HealthRegistry (to add a
 * readiness check) and ALERT_METRICS can be injected anywhere.
 */
@Global()
@Module({
  controllers: [HealthController],
  providers: [MetricsService, HealthRegistry, { provide: ALERT_METRICS, useExisting: MetricsService }],
  exports: [MetricsService, HealthRegistry, ALERT_METRICS],
})
export class OpsModule {}
