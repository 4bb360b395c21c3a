import { Global, Module } from '@nestjs/common';
import { MIGRATION_FIGURES } from '../comparison/comparison.ports.js';
import { ScopeModule } from '../security/scope.js';
import { StatusModule } from '../status/status.module.js';
import { CloudEvidence } from './cloud-evidence.js';
import { MigrationController } from './migration.controller.js';
import { MigrationSeed } from './migration.seed.js';
import { MigrationService } from './migration.service.js';

/**
 * Migration inventory (Article 11) and onboarding clocks (Article 13). See docs/MIGRATION.md.
 * Global so that the district comparison finds MIGRATION_FIGURES (its port) without importing us.
 */
@Global()
@Module({
  imports: [StatusModule, ScopeModule],
  controllers: [MigrationController],
  providers: [MigrationService, CloudEvidence, MigrationSeed, { provide: MIGRATION_FIGURES, useExisting: MigrationService }],
  exports: [MigrationService, MIGRATION_FIGURES],
})
export class MigrationModule {}
