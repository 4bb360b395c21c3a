import { Module } from '@nestjs/common';
import { NodeUnitsStore } from '../ingest/node-units.store.js';
import { ScopeModule } from '../security/scope.js';
import { StatusModule } from '../status/status.module.js';
import { NodesController } from './nodes.controller.js';
import { NodesSeed } from './nodes.seed.js';
import { NodesService } from './nodes.service.js';
import { NodesStore } from './nodes.store.js';

/**
 * The node registry (docs/NODES.md). Provides node_units' store too (one instance, one cache):
 * ingest places nodes through it, the registry writes units through the same table.
 */
@Module({
  imports: [StatusModule, ScopeModule],
  controllers: [NodesController],
  providers: [NodesStore, NodesService, NodesSeed, NodeUnitsStore],
  exports: [NodesStore, NodesService, NodeUnitsStore],
})
export class NodesModule {}
