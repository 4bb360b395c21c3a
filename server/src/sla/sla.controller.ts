import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { Roles } from '../common/roles.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { SlaAccess, districtSeesWindow } from './sla.access.js';
import { SlaEngine } from './sla.engine.js';
import { reportCsv, reportHtml } from './sla.report.js';
import { MonthQuerySchema, parseInput } from './sla.schemas.js';
import { SlaService } from './sla.service.js';
import { monthOf } from './sla.time.js';
import { UNITS } from '@zhuyun/protocol';
import { SelfAudited } from '../security/audit.interceptor.js';

/** `?month=YYYY-MM&format=` of the contract report (the month is read by contractMonth). */
export const ReportQuerySchema = MonthQuerySchema.extend({ format: z.enum(['csv', 'html', 'json']).default('json') });

/**
 * SLA REST under /api/v1/sla (docs/SLA.md). Operators see their contracts (scoping comes with
 * issue 7); ops and admin everything; leaders read; a district user reads its own unit's extranet
 * service (issue 15: SlaAccess).
 */
@Controller('api/v1/sla')
export class SlaController {
  constructor(
    private readonly sla: SlaService,
    private readonly engine: SlaEngine,
    private readonly access: SlaAccess,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('services')
  @Roles('ops', 'operator', 'leader', 'district')
  async services(@CurrentUser() p: Principal) {
    const allowed = await this.access.services(p);
    return { services: this.sla.services().filter((s) => !allowed || allowed.has(s.id)), scoredUntil: this.engine.scoredUntil() };
  }

  @Get('services/:id/minutes')
  @Roles('ops', 'operator', 'leader', 'district')
  async minutes(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() p: Principal) {
    await this.access.checkService(p, id);
    return this.sla.minutes(id, q);
  }

  @Get('services/:id/days')
  @Roles('ops', 'operator', 'leader', 'district')
  async days(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() p: Principal) {
    await this.access.checkService(p, id);
    if (typeof q.contract === 'string') await this.access.checkContract(p, q.contract);
    return this.sla.days(id, q);
  }

  /** Per district/zone extranet figures of a month (what the district comparison reads). */
  @Get('units')
  @Roles('ops', 'leader', 'district')
  async units(@Query() q: Record<string, unknown>, @CurrentUser() p: Principal) {
    const month = parseInput(MonthQuerySchema, q, 'query').month ?? monthOf(this.clock.now());
    // A district user: its own unit's figures only.
    return { month, units: await this.sla.unitMonths(month, p.role === 'district' ? [p.district ?? ''] : UNITS.map((u) => u.code)) };
  }

  @Get('contracts')
  @Roles('ops', 'operator', 'leader', 'district')
  async contracts(@CurrentUser() p: Principal) {
    return { contracts: await this.access.contracts(p) };
  }

  @Post('contracts')
  @Roles('admin')
  createContract(@Body() body: unknown) {
    return this.sla.createContract(body);
  }

  @Get('contracts/:id')
  @Roles('ops', 'operator', 'leader', 'district')
  async contract(@Param('id') id: string, @CurrentUser() p: Principal) {
    await this.access.checkContract(p, id);
    const c = await this.sla.getContract(id);
    const allowed = await this.access.services(p);
    return p.role === 'district' && allowed ? { ...c, services: c.services.filter((s) => allowed.has(s)) } : c;
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
  @Roles('ops', 'operator', 'leader', 'district')
  async summary(@Param('id') id: string, @Query() q: Record<string, unknown>, @CurrentUser() p: Principal) {
    await this.access.checkContract(p, id);
    const m = await this.sla.contractMonth(id, q);
    if (p.role !== 'district') return m;
    // A district user reads its own unit's service of the contract (read only), not the others'.
    const allowed = (await this.access.services(p))!;
    const services = m.services.filter((s) => allowed.has(s.service));
    return {
      ...m,
      contract: { ...m.contract, services: m.contract.services.filter((s) => allowed.has(s)) },
      // The sums over every service of the contract are the other units' too: its own service's figures instead.
      total: services[0]?.figures ?? m.total,
      met: services[0]?.met ?? null,
      services,
      reclassifications: m.reclassifications.filter((r) => allowed.has(r.service)),
      windows: m.windows.filter((w) => districtSeesWindow(p.district ?? '', w)),
    };
  }

  /** `?month=YYYY-MM&format=csv|html|json`: the monthly report (CSV with BOM, printable HTML). */
  @Get('contracts/:id/report')
  @Roles('ops', 'operator', 'leader')
  async report(@Param('id') id: string, @Query() q: Record<string, unknown>, @Res({ passthrough: true }) res: Response, @CurrentUser() p: Principal) {
    await this.access.checkContract(p, id);
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
  @Roles('ops', 'operator', 'leader', 'district')
  async incidents(@Query() q: Record<string, unknown>, @CurrentUser() p: Principal) {
    const allowed = await this.access.services(p);
    return { incidents: (await this.sla.incidents(q)).filter((i) => !allowed || allowed.has(i.service)) };
  }

  @Get('incidents/:id')
  @Roles('ops', 'operator', 'leader', 'district')
  async incident(@Param('id') id: string, @CurrentUser() p: Principal) {
    const i = await this.sla.incident(id);
    await this.access.checkService(p, i.service);
    return i;
  }

  @Post('incidents/:id/ack')
  @SelfAudited()
  @HttpCode(200)
  @Roles('ops', 'operator')
  async ack(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    await this.access.checkService(p, (await this.sla.incident(id)).service);
    const r = await this.sla.acknowledge(id, body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'sla.incident.ack', target: id });
    return r;
  }

  @Get('reclassifications')
  @Roles('ops', 'operator', 'leader')
  async reclassifications(@CurrentUser() p: Principal) {
    const allowed = await this.access.services(p);
    return { reclassifications: this.engine.allReclassifications().filter((r) => !allowed || allowed.has(r.service)) };
  }

  @Post('reclassifications')
  @SelfAudited()
  @Roles('ops')
  async reclassify(@Body() body: unknown, @CurrentUser() p: Principal) {
    const r = await this.engine.reclassify(body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'sla.reclassify', target: r.service, after: r });
    return r;
  }
}
