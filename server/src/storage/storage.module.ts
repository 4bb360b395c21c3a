import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../ops/metrics.service.js';
import { OpsModule } from '../ops/ops.module.js';
import { timeStore } from '../ops/store-timing.js';
import { InfluxTimeSeriesStore } from './influx/influx.time-series.store.js';
import { RetentionService } from './retention.service.js';
import { SqliteTimeSeriesStore } from './sqlite/sqlite.time-series.store.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from './time-series.store.js';
import { StoreWriteHealth } from './write-health.js';

/** Closes the store when the application stops, after everything that writes to it. */
class StoreCloser implements OnApplicationShutdown {
  constructor(@Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore) {}
  async onApplicationShutdown() {
    await this.store.close();
  }
}

/** The adapter ZHUYUN_TSDB names: SQLite in the data dir, or InfluxDB 1.x at INFLUX_URL. */
function createStore(config: AppConfig, log: Logger, metrics: MetricsService): TimeSeriesStore {
  return timeStore(openStore(config, log, metrics), metrics);
}

function openStore(config: AppConfig, log: Logger, metrics: MetricsService): TimeSeriesStore {
  if (config.tsdb === 'influx') {
    if (!config.influx) throw new Error('ZHUYUN_TSDB=influx without INFLUX_URL (the configuration check should have said so)');
    return new InfluxTimeSeriesStore({
      ...config.influx,
      // The outbox lives with the rest of the server's state: points accepted while InfluxDB was
      // away wait there until it is back.
      outboxPath: join(config.dataDir, 'influx-outbox.sqlite'),
      retention: config.retention,
      logger: log,
      onDropped: (points, reason) => metrics.tsdbDroppedPoints.inc({ reason }, points),
    });
  }
  return new SqliteTimeSeriesStore(join(config.dataDir, 'tsdb.sqlite'), config.retention);
}

@Global()
@Module({
  imports: [OpsModule],
  providers: [
    {
      provide: TIME_SERIES_STORE,
      inject: [CONFIG, LOGGER, MetricsService],
      useFactory: createStore,
    },
    StoreCloser,
    RetentionService,
    StoreWriteHealth,
  ],
  exports: [TIME_SERIES_STORE, RetentionService],
})
export class StorageModule {}
