import { Module } from '@nestjs/common';
import { ScopeModule } from '../security/scope.js';
import { StatusModule } from '../status/status.module.js';
import { QueryController } from './query.controller.js';
import { QueryService } from './query.service.js';

@Module({ imports: [StatusModule, ScopeModule], controllers: [QueryController], providers: [QueryService] })
export class QueryModule {}
