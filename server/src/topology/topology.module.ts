import { Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { TopologyController } from './topology.controller.js';
import { TopologyService } from './topology.service.js';

@Module({ imports: [StatusModule], providers: [TopologyService], controllers: [TopologyController], exports: [TopologyService] })
export class TopologyModule {}
