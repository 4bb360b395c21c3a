import { Module } from '@nestjs/common';
import { ComparisonController } from './comparison.controller.js';
import { ComparisonService } from './comparison.service.js';

@Module({ controllers: [ComparisonController], providers: [ComparisonService] })
export class ComparisonModule {}
