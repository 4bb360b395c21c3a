import { Module } from '@nestjs/common';
import { OpsModule } from '../ops/ops.module.js';
import { ScopeModule } from '../security/scope.js';
import { StatusModule } from '../status/status.module.js';
import { LiveTopicsService } from './live-topics.service.js';
import { LiveGateway } from './live.gateway.js';

@Module({ imports: [StatusModule, OpsModule, ScopeModule], providers: [LiveTopicsService, LiveGateway] })
export class LiveModule {}
