import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { Roles } from '../common/roles.js';
import { SEVERITIES } from './alert-rules.js';
import { AlertsService } from './alerts.service.js';
import { NotifierService } from './notifier.service.js';
import { parseInput } from './zod-input.js';

const ListQuerySchema = z.object({
  state: z.enum(['open', 'inactive', 'pending', 'firing', 'resolved']).optional(),
  district: z.string().min(1).max(64).optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const AckSchema = z
  .object({
    // Until sessions exist (issue 7) the caller names itself; then it comes from the session.
    by: z.string().trim().min(1).max(100),
    comment: z.string().trim().max(1000).nullable().optional(),
  })
  .strict();

const SilenceListSchema = z.object({ active: z.enum(['true', 'false']).default('true') });

/** Alerts, acknowledgement and deliveries (docs/ALERTS.md "API"). Reads: ops, leader, district; changes: ops. */
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Roles('ops', 'leader', 'district')
  list(@Query() query: unknown) {
    return this.alerts.list(parseInput(ListQuerySchema, query, 'alert query'));
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district')
  get(@Param('id') id: string) {
    return this.alerts.get(id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @Roles('ops')
  ack(@Param('id') id: string, @Body() body: unknown) {
    const b = parseInput(AckSchema, body, 'acknowledgement');
    return this.alerts.ack(id, b.by, b.comment || null);
  }

  @Get(':id/deliveries')
  @Roles('ops', 'leader', 'district')
  deliveries(@Param('id') id: string) {
    return this.alerts.deliveries(id);
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
  constructor(private readonly alerts: AlertsService) {}

  /** `?active=true` (default): active and future silences; `false`: all, newest first. */
  @Get()
  @Roles('ops', 'leader', 'district')
  list(@Query() query: unknown) {
    return this.alerts.listSilences(parseInput(SilenceListSchema, query, 'silence query').active === 'true');
  }

  @Post()
  @Roles('ops')
  create(@Body() body: unknown) {
    return this.alerts.createSilence(body);
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
