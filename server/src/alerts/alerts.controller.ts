import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { ForbiddenError } from '../common/errors.js';
import { Roles } from '../common/roles.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { SEVERITIES } from './alert-rules.js';
import { AlertsService } from './alerts.service.js';
import { NotifierService } from './notifier.service.js';
import { parseInput } from '../common/validate.js';
import { SelfAudited } from '../security/audit.interceptor.js';

const ListQuerySchema = z.object({
  state: z.enum(['open', 'inactive', 'pending', 'firing', 'resolved']).optional(),
  district: z.string().min(1).max(64).optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const AckSchema = z
  .object({
    comment: z.string().trim().max(1000).nullable().optional(),
  })
  .strict();

const SilenceListSchema = z.object({ active: z.enum(['true', 'false']).default('true') });

/** Alerts, acknowledgement and deliveries (docs/ALERTS.md "API"). Reads: ops, leader, district; changes: ops. */
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
  ) {}

  /** A district user sees its own district's alerts only. */
  @Get()
  @Roles('ops', 'leader', 'district')
  list(@Query() query: unknown, @CurrentUser() p: Principal) {
    const q = parseInput(ListQuerySchema, query, 'alert query');
    if (p.role === 'district') {
      if (q.district !== undefined && q.district !== p.district) throw new ForbiddenError(`a district user of ${p.district} may not read the alerts of ${q.district}`);
      q.district = p.district;
    }
    return this.alerts.list(q);
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district')
  async get(@Param('id') id: string, @CurrentUser() p: Principal) {
    const alert = await this.alerts.get(id);
    this.checkScope(p, alert.district, id);
    return alert;
  }

  /** Acknowledged by the signed-in user; recorded in the audit log. */
  @Post(':id/ack')
  @SelfAudited()
  @HttpCode(200)
  @Roles('ops')
  async ack(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    const b = parseInput(AckSchema, body, 'acknowledgement');
    const result = await this.alerts.ack(id, p.username, b.comment || null);
    await this.audit.record({ actor: `user:${p.username}`, action: 'alert.ack', target: id, after: { comment: b.comment ?? null } });
    return result;
  }

  @Get(':id/deliveries')
  @Roles('ops', 'leader', 'district')
  async deliveries(@Param('id') id: string, @CurrentUser() p: Principal) {
    if (p.role === 'district') this.checkScope(p, (await this.alerts.get(id)).district, id);
    return this.alerts.deliveries(id);
  }

  private checkScope(p: Principal, district: string | null | undefined, id: string) {
    if (p.role === 'district' && district !== p.district) throw new ForbiddenError(`alert ${id} is not in district ${p.district}`);
  }
}

@Controller('api/v1/alert-rules')
export class AlertRulesController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Roles('ops', 'leader', 'district')
  list() {
    return this.alerts.listRules();
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district')
  get(@Param('id') id: string) {
    return this.alerts.getRule(id);
  }

  @Post()
  @Roles('ops')
  create(@Body() body: unknown) {
    return this.alerts.createRule(body);
  }

  @Put(':id')
  @Roles('ops')
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.alerts.updateRule(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('ops')
  async remove(@Param('id') id: string) {
    await this.alerts.deleteRule(id);
  }
}

@Controller('api/v1/silences')
export class SilencesController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
  ) {}

  /** `?active=true` (default): active and future silences; `false`: all, newest first. */
  @Get()
  @Roles('ops', 'leader', 'district')
  list(@Query() query: unknown) {
    return this.alerts.listSilences(parseInput(SilenceListSchema, query, 'silence query').active === 'true');
  }

  @Post()
  @SelfAudited()
  @Roles('ops')
  async create(@Body() body: unknown, @CurrentUser() p: Principal) {
    const silence = await this.alerts.createSilence(body, p.username);
    await this.audit.record({ actor: `user:${p.username}`, action: 'alert.silence', target: silence.id, after: silence });
    return silence;
  }

  /** Ends the silence now; it stays on record. */
  @Delete(':id')
  @HttpCode(204)
  @Roles('ops')
  async expire(@Param('id') id: string) {
    await this.alerts.expireSilence(id);
  }
}

@Controller('api/v1/notification-channels')
export class NotificationChannelsController {
  constructor(private readonly notifier: NotifierService) {}

  @Get()
  @Roles('ops', 'leader', 'district')
  list() {
    return this.notifier.list();
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district')
  get(@Param('id') id: string) {
    return this.notifier.get(id);
  }

  @Post()
  @Roles('ops')
  create(@Body() body: unknown) {
    return this.notifier.create(body);
  }

  @Put(':id')
  @Roles('ops')
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.notifier.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('ops')
  async remove(@Param('id') id: string) {
    await this.notifier.remove(id);
  }
}
