import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Roles } from '../common/roles.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { MaintenanceService } from './maintenance.service.js';
import { SelfAudited } from '../security/audit.interceptor.js';

/** Maintenance windows: requested by operators or ops, approved or rejected by ops (docs/SLA.md). */
@Controller('api/v1/maintenance-windows')
export class MaintenanceController {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Roles('ops', 'operator', 'leader')
  list() {
    return { windows: this.maintenance.list() };
  }

  @Post()
  @SelfAudited()
  @Roles('ops', 'operator')
  async request(@Body() body: unknown, @CurrentUser() p: Principal) {
    const w = await this.maintenance.request(body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'maintenance.request', target: w.id, after: w });
    return w;
  }

  @Get(':id')
  @Roles('ops', 'operator', 'leader')
  get(@Param('id') id: string) {
    return this.maintenance.get(id);
  }

  @Put(':id')
  @Roles('ops', 'operator')
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.maintenance.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('ops')
  async remove(@Param('id') id: string) {
    await this.maintenance.remove(id);
  }

  @Post(':id/approve')
  @SelfAudited()
  @HttpCode(200)
  @Roles('ops')
  async approve(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    const w = await this.maintenance.decide(id, 'approved', body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'maintenance.approve', target: id, after: w });
    return w;
  }

  @Post(':id/reject')
  @SelfAudited()
  @HttpCode(200)
  @Roles('ops')
  async reject(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    const w = await this.maintenance.decide(id, 'rejected', body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'maintenance.reject', target: id, after: w });
    return w;
  }
}
