import { Module } from '@nestjs/common';
import { CollectorTokensService } from './collector-tokens.service.js';

@Module({ providers: [CollectorTokensService], exports: [CollectorTokensService] })
export class AuthModule {}
