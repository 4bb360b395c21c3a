import { Module, type DynamicModule } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CLOCK, type Clock } from './common/clock.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { ComparisonModule } from './comparison/comparison.module.js';
import { DomainEvents } from './common/domain-events.js';
import { LiveBus } from './common/live-bus.js';
import { LOGGER, type Logger } from './common/logger.js';
import { CONFIG, type AppConfig } from './config/config.js';
import { DatabaseModule } from './db/database.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { LiveModule } from './live/live.module.js';
import { MigrationModule } from './migration/migration.module.js';
import { NodesModule } from './nodes/nodes.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { OpsModule } from './ops/ops.module.js';
import { PictureMetricsModule } from './ops/picture.module.js';
import { QueryModule } from './query/query.module.js';
import { SecurityModule } from './security/security.module.js';
import { SimulationModule } from './simulation/simulation.module.js';
import { SlaModule } from './sla/sla.module.js';
import { StatusModule } from './status/status.module.js';
import { StorageModule } from './storage/storage.module.js';
import { TopologyModule } from './topology/topology.module.js';

/** What the outside world hands the application: the validated config, the clock, the logger. */
export interface AppDeps {
  config: AppConfig;
  clock: Clock;
  logger: Logger;
}

@Module({})
class CoreModule {
  static register(deps: AppDeps): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: CLOCK, useValue: deps.clock },
        { provide: LOGGER, useValue: deps.logger },
        LiveBus,
        DomainEvents,
      ],
      exports: [CONFIG, CLOCK, LOGGER, LiveBus, DomainEvents],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(deps),
        DatabaseModule,
        SecurityModule,
        StorageModule,
        AuthModule,
        StatusModule,
        ClusterModule,
        OpsModule,
        IngestModule,
        QueryModule,
        LiveModule,
        SimulationModule,
        TopologyModule,
        ComparisonModule,
        AlertsModule,
        MigrationModule,
        NodesModule,
        SlaModule,
        PictureMetricsModule,
        OpenApiModule,
      ],
    };
  }
}
