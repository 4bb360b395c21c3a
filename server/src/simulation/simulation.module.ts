import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SimulationService } from './simulation.service.js';

@Module({ imports: [AuthModule], providers: [SimulationService], exports: [SimulationService] })
export class SimulationModule {}
