import { Module } from '@nestjs/common';
import { CollectorTokensService } from './collector-tokens.service.js';
import { CollectorsController } from './collectors.controller.js';
import { NodesModule } from '../nodes/nodes.module.js';

@Module({ imports: [NodesModule], controllers: [CollectorsController], providers: [CollectorTokensService], exports: [CollectorTokensService] })
export class AuthModule {}
