import { Module } from '@nestjs/common';
import { CollectorTokensService } from './collector-tokens.service.js';
import { CollectorsController } from './collectors.controller.js';

@Module({ controllers: [CollectorsController], providers: [CollectorTokensService], exports: [CollectorTokensService] })
export class AuthModule {}
