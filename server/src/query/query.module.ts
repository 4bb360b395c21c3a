import { Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { QueryController } from './query.controller.js';
import { QueryService } from './query.service.js';

@Module({ imports: [StatusModule], controllers: [QueryController], providers: [QueryService] })
export class QueryModule {}
