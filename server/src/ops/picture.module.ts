import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SlaModule } from '../sla/sla.module.js';
import { StatusModule } from '../status/status.module.js';
import { PictureMetrics } from './picture.metrics.js';

/** The live picture on /metrics (node, unit, SLA, collector gauges); apart from OpsModule, which many modules import. */
@Module({ imports: [StatusModule, SlaModule, AuthModule], providers: [PictureMetrics] })
export class PictureMetricsModule {}
