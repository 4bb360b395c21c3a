import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Roles } from '../common/roles.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { SlaAccess, districtSeesWindow, windowVisible } from './sla.access.js';
import { MaintenanceService } from './maintenance.service.js';
import { SelfAudited } from '../security/audit.interceptor.js';

/**
 * Maintenance windows: requested by operators or ops, approved or rejected by ops (docs/SLA.md).
 * An operator sees the windows touching its contracts' services (and its own), scopes a request to
 * those services, and edits or cancels only the windows it requested while they are `requested`.
 * A district user reads the windows covering its unit or a platform (issue 15).
 */
@Controller('api/v1/maintenance-windows')
export class MaintenanceController {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly audit: AuditService,
    private readonly access: SlaAccess,
  ) {}

  @Get()
  @Roles('ops', 'operator', 'leader', 'district')
  async list(@CurrentUser() p: Principal) {
    if (p.role === 'district') return { windows: this.maintenance.list().filter((w) => districtSeesWindow(p.district ?? '', w)) };
    // The operator's services read once, not once per window.
    const allowed = await this.access.services(p);
    return { windows: this.maintenance.list().filter((w) => windowVisible(allowed, p.username, w)) };
  }

  @Post()
  @SelfAudited()
  @Roles('ops', 'operator')
  async request(@Body() body: unknown, @CurrentUser() p: Principal) {
    await this.access.checkWindowScope(p, body);
    const w = await this.maintenance.request(body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'maintenance.request', target: w.id, after: w });
    return w;
  }

  @Get(':id')
  @Roles('ops', 'operator', 'leader', 'district')
  async get(@Param('id') id: string, @CurrentUser() p: Principal) {
    return this.visible(id, p);
  }

  /** Changes a window (back to `requested` if it was approved); an operator only its own, while requested. */
  @Put(':id')
  @Roles('ops', 'operator')
  async update(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    const w = await this.visible(id, p);
    if (this.access.isScoped(p)) {
      this.access.checkWindowOwner(p, w);
      if (w.state !== 'requested') throw new ConflictError(`maintenance window ${id} is ${w.state}; an operator may edit it only while it is requested`);
      await this.access.checkWindowScope(p, body);
    }
    return this.maintenance.update(id, body);
  }

  /** Withdraws a requested window (state `cancelled`, kept): its requester or ops. */
  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('ops', 'operator')
  async cancel(@Param('id') id: string, @CurrentUser() p: Principal) {
    this.access.checkWindowOwner(p, await this.visible(id, p));
    return this.maintenance.cancel(id, p.username);
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

  /** The window, or 404 for an operator it does not concern (as if it did not exist). */
  private async visible(id: string, p: Principal) {
    const w = this.maintenance.get(id);
    if (!(await this.access.seesWindow(p, w))) throw new NotFoundError(`no maintenance window ${id}`);
    return w;
  }
}
