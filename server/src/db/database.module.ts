import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type AppConfig } from '../config/config.js';
import { DATABASE, openDatabase, type Db } from './database.js';

class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Db) {}
  async onApplicationShutdown() {
    await this.db.destroy();
  }
}

@Global()
@Module({
  providers: [
    { provide: DATABASE, inject: [CONFIG], useFactory: (config: AppConfig) => openDatabase(config.database) },
    DatabaseCloser,
  ],
  exports: [DATABASE],
})
export class DatabaseModule {}
