import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { Roles } from '../common/roles.js';
import { SlaEngine } from './sla.engine.js';
import { reportCsv, reportHtml } from './sla.report.js';
import { MonthQuerySchema, parseInput } from './sla.schemas.js';
import { SlaService } from './sla.service.js';
import { monthOf } from './sla.time.js';
import { UNITS } from '@zhuyun/protocol';

const ReportQuerySchema = z.object({ format: z.enum(['csv', 'html', 'json']).default('json') });

/**
 * SLA REST under /api/v1/sla (docs/SLA.md). Operators see their contracts (scoping comes with
 * issue 7); ops and admin everything; leaders read.
 */
@Controller('api/v1/sla')
export class SlaController {
  constructor(
    private readonly sla: SlaService,
    private readonly engine: SlaEngine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('services')
  @Roles('ops', 'operator', 'leader')
  services() {
    return { services: this.sla.services(), scoredUntil: this.engine.scoredUntil() };
  }

  @Get('services/:id/minutes')
  @Roles('ops', 'operator', 'leader')
  minutes(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    return this.sla.minutes(id, q);
  }

  @Get('services/:id/days')
  @Roles('ops', 'operator', 'leader')
  days(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    return this.sla.days(id, q);
  }

  /** Per district/zone extranet figures of a month (what the district comparison reads). */
  @Get('units')
  @Roles('ops', 'leader')
  async units(@Query() q: Record<string, unknown>) {
    const month = parseInput(MonthQuerySchema, q, 'query').month ?? monthOf(this.clock.now());
    return { month, units: await this.sla.unitMonths(month, UNITS.map((u) => u.code)) };
  }

  @Get('contracts')
  @Roles('ops', 'operator', 'leader')
  async contracts() {
    return { contracts: await this.sla.listContracts() };
  }

  @Post('contracts')
  @Roles('admin')
  createContract(@Body() body: unknown) {
    return this.sla.createContract(body);
  }

  @Get('contracts/:id')
  @Roles('ops', 'operator', 'leader')
  contract(@Param('id') id: string) {
    return this.sla.getContract(id);
  }

  @Put('contracts/:id')
  @Roles('admin')
  replaceContract(@Param('id') id: string, @Body() body: unknown) {
    return this.sla.updateContract(id, body);
  }

  @Patch('contracts/:id')
  @Roles('admin')
  patchContract(@Param('id') id: string, @Body() body: unknown) {
    return this.sla.updateContract(id, body);
  }

  @Delete('contracts/:id')
  @HttpCode(204)
  @Roles('admin')
  async deleteContract(@Param('id') id: string) {
    await this.sla.deleteContract(id);
  }

  @Get('contracts/:id/summary')
  @Roles('ops', 'operator', 'leader')
  summary(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    return this.sla.contractMonth(id, q);
  }

  /** `?month=YYYY-MM&format=csv|html|json`: the monthly report (CSV with BOM, printable HTML). */
  @Get('contracts/:id/report')
  @Roles('ops', 'operator', 'leader')
  async report(@Param('id') id: string, @Query() q: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const { format } = parseInput(ReportQuerySchema, { format: q.format }, 'query');
    const r = await this.sla.contractMonth(id, { month: q.month });
    if (format === 'json') return r;
    const name = `sla-${r.month}-${r.contract.id.slice(0, 8)}`;
    if (format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
      return reportCsv(r);
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return reportHtml(r);
  }

  @Get('incidents')
  @Roles('ops', 'operator', 'leader')
  async incidents(@Query() q: Record<string, unknown>) {
    return { incidents: await this.sla.incidents(q) };
  }

  @Get('incidents/:id')
  @Roles('ops', 'operator', 'leader')
  incident(@Param('id') id: string) {
    return this.sla.incident(id);
  }

  @Post('incidents/:id/ack')
  @HttpCode(200)
  @Roles('ops', 'operator')
  ack(@Param('id') id: string, @Body() body: unknown) {
    return this.sla.acknowledge(id, body);
  }

  @Get('reclassifications')
  @Roles('ops', 'operator', 'leader')
  reclassifications() {
    return { reclassifications: this.engine.allReclassifications() };
  }

  @Post('reclassifications')
  @Roles('ops')
  reclassify(@Body() body: unknown) {
    return this.engine.reclassify(body);
  }
}
