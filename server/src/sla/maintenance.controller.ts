import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Roles } from '../common/roles.js';
import { MaintenanceService } from './maintenance.service.js';

/** Maintenance windows: requested by operators or ops, approved or rejected by ops (docs/SLA.md). */
@Controller('api/v1/maintenance-windows')
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get()
  @Roles('ops', 'operator', 'leader')
  list() {
    return { windows: this.maintenance.list() };
  }

  @Post()
  @Roles('ops', 'operator')
  request(@Body() body: unknown) {
    return this.maintenance.request(body);
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
  @HttpCode(200)
  @Roles('ops')
  approve(@Param('id') id: string, @Body() body: unknown) {
    return this.maintenance.decide(id, 'approved', body);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('ops')
  reject(@Param('id') id: string, @Body() body: unknown) {
    return this.maintenance.decide(id, 'rejected', body);
  }
}
