import { Module } from '@nestjs/common';
import { StatusModule } from '../status/status.module.js';
import { CloudEvidence } from './cloud-evidence.js';
import { MigrationController } from './migration.controller.js';
import { MigrationSeed } from './migration.seed.js';
import { MigrationService } from './migration.service.js';

/** Migration inventory (Article 11) and onboarding clocks (Article 13). See docs/MIGRATION.md. */
@Module({
  imports: [StatusModule],
  controllers: [MigrationController],
  providers: [MigrationService, CloudEvidence, MigrationSeed],
  exports: [MigrationService],
})
export class MigrationModule {}
