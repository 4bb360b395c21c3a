import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AccountsService } from './accounts.service.js';
import { AdminController } from './admin.controller.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { AuditService } from './audit.service.js';
import { AuthController } from './auth.controller.js';
import { RolesGuard } from './roles.guard.js';

/** Accounts, sessions, the role guard on every route, the audit log. Global: any module may audit. */
@Global()
@Module({
  providers: [AccountsService, AuditService, { provide: APP_GUARD, useClass: RolesGuard }, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  controllers: [AuthController, AdminController],
  exports: [AccountsService, AuditService],
})
export class SecurityModule {}
