import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { CONFIG, type AppConfig } from '../config/config.js';
import { RetentionService } from './retention.service.js';
import { SqliteTimeSeriesStore } from './sqlite/sqlite.time-series.store.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from './time-series.store.js';

/** Closes the store when the application stops, after everything that writes to it. */
class StoreCloser implements OnApplicationShutdown {
  constructor(@Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore) {}
  async onApplicationShutdown() {
    await this.store.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: TIME_SERIES_STORE,
      inject: [CONFIG],
      useFactory: (config: AppConfig): TimeSeriesStore => new SqliteTimeSeriesStore(join(config.dataDir, 'tsdb.sqlite'), config.retention),
    },
    StoreCloser,
    RetentionService,
  ],
  exports: [TIME_SERIES_STORE, RetentionService],
})
export class StorageModule {}
