import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../common/roles.js';
import { AccountsService } from './accounts.service.js';
import { AuditService, auditCsv } from './audit.service.js';
import { CurrentUser, type Principal } from './principal.js';
import { SelfAudited } from './audit.interceptor.js';

/** Users and the audit log: admin only (a route with no other role named). */
@Controller('api/v1')
export class AdminController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  @Get('users')
  @Roles()
  async users() {
    return { users: await this.accounts.listUsers() };
  }

  @Post('users')
  @SelfAudited()
  @Roles()
  addUser(@Body() body: unknown, @CurrentUser() p: Principal) {
    return this.accounts.addUser(body, `user:${p.username}`);
  }

  @Patch('users/:username')
  @SelfAudited()
  @Roles()
  updateUser(@Param('username') username: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    return this.accounts.updateUser(username, body, `user:${p.username}`);
  }

  @Get('audit')
  @Roles()
  async auditLog(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = this.audit.parseQuery(query);
    const records = await this.audit.list(q);
    if (q.format === 'json') return { records };
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="zhuyun-audit.csv"');
    return auditCsv(records);
  }
}
