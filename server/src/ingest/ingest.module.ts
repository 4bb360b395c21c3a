import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OpsModule } from '../ops/ops.module.js';
import { StatusModule } from '../status/status.module.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

@Module({ imports: [AuthModule, StatusModule, OpsModule], controllers: [IngestController], providers: [IngestService] })
export class IngestModule {}
