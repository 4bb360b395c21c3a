import { Global, Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { ClusterService } from './cluster.service.js';
import { ShutdownService } from './shutdown.service.js';

/** Several instances over Redis and the graceful shutdown (docs/SCALE.md). Global. */
@Global()
@Module({ imports: [StatusModule], providers: [ClusterService, ShutdownService], exports: [ClusterService, ShutdownService] })
export class ClusterModule {}
