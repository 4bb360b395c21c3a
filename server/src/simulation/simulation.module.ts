import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { HistoryController } from './history.controller.js';
import { HistoryService } from './history.service.js';
import { SimulationService } from './simulation.service.js';

@Module({ imports: [AuthModule], controllers: [HistoryController], providers: [SimulationService, HistoryService], exports: [SimulationService, HistoryService] })
export class SimulationModule {}
