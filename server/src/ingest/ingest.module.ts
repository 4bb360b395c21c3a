import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OpsModule } from '../ops/ops.module.js';
import { StatusModule } from '../status/status.module.js';
import { CardinalityService } from './cardinality.service.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';
import { LineProtocolService } from './line-protocol.service.js';
import { NodeUnitsController } from './node-units.controller.js';
import { NodesModule } from '../nodes/nodes.module.js';
import { WriteController } from './write.controller.js';

@Module({
  imports: [AuthModule, StatusModule, OpsModule, NodesModule],
  controllers: [IngestController, WriteController, NodeUnitsController],
  providers: [IngestService, LineProtocolService, CardinalityService],
  exports: [CardinalityService],
})
export class IngestModule {}
