import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsService } from './accounts.service.js';
import { AdminController } from './admin.controller.js';
import { AuditService } from './audit.service.js';
import { AuthController } from './auth.controller.js';
import { RolesGuard } from './roles.guard.js';

/** Accounts, sessions, the role guard on every route, the audit log. Global: any module may audit. */
@Global()
@Module({
  providers: [AccountsService, AuditService, { provide: APP_GUARD, useClass: RolesGuard }],
  controllers: [AuthController, AdminController],
  exports: [AccountsService, AuditService],
})
export class SecurityModule {}
