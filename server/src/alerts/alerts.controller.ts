import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import type { Silence } from '@zhuyun/protocol';
import { Roles } from '../common/roles.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { ScopeService, seesCredentials, type SelectorKind } from '../security/scope.js';
import { SEVERITIES } from './alert-rules.js';
import { AlertsService } from './alerts.service.js';
import type { AlertFilter } from './alerts.store.js';
import { NotifierService } from './notifier.service.js';
import { maskUrlsIn } from './notify/channels.js';
import { parseInput } from '../common/validate.js';
import { SelfAudited } from '../security/audit.interceptor.js';
import { ForbiddenError } from '../common/errors.js';
import { StatusService } from '../status/status.service.js';

/** `GET /api/v1/alerts` (documented in the OpenAPI document; its selectors are scoped). */
export const ListQuerySchema = z.object({
  state: z.enum(['open', 'inactive', 'pending', 'firing', 'resolved']).optional(),
  district: z.string().min(1).max(64).optional(),
  /** One node's alerts (the node page). */
  node: z.string().min(1).max(128).optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const AckSchema = z
  .object({
    comment: z.string().trim().max(1000).nullable().optional(),
  })
  .strict();

/** The selectors of `GET /api/v1/alerts`: each one is checked against the user's scope. */
export const ALERT_SELECTORS: Readonly<Record<string, SelectorKind>> = { district: 'unit', node: 'node' };

export const SilenceListSchema = z.object({ active: z.enum(['true', 'false']).default('true') });

/**
 * Alerts, acknowledgement and deliveries (docs/ALERTS.md "API"). Reads: ops, leader, district (its
 * unit), operator (what its contracts cover: docs/SECURITY.md "Operators"); acknowledging: ops, and
 * an operator the alerts in its reach (the SLA's response time runs to the acknowledgement).
 */
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
    private readonly scope: ScopeService,
    private readonly status: StatusService,
  ) {}

  /** A district user sees its own unit's alerts only; an operator those of its contracts' units and platforms. */
  @Get()
  @Roles('ops', 'leader', 'district', 'operator')
  async list(@Query() query: unknown, @CurrentUser() p: Principal) {
    const q: AlertFilter = parseInput(ListQuerySchema, query, 'alert query');
    // Outage groups are formed over what the user sees (as on its live topic and for the group
    // acknowledgement), so a group's id and size are the same everywhere and tell nothing of another unit.
    const reach = await this.scope.reach(p);
    const keep = reach ? (a: { unit: string; node: string }) => this.scope.alertInReach(reach, a) : undefined;
    if (p.role !== 'operator' || !reach) return this.alerts.list(this.scope.confine(p, q, ALERT_SELECTORS, 'unit'), keep);
    this.scope.checkSelectors(p, reach, q, ALERT_SELECTORS);
    const platformNodes = reach.platforms.size ? this.status.nodes().filter((n) => n.platform && reach.platforms.has(n.platform)).map((n) => n.id) : [];
    const rows = await this.alerts.list({ ...q, within: { units: [...reach.units], nodes: platformNodes } }, keep);
    // A platform node standing in a unit of the contract is the platform's, not the unit's extranet.
    return rows.filter((a) => this.scope.alertInReach(reach, a));
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district', 'operator')
  async get(@Param('id') id: string, @CurrentUser() p: Principal) {
    const alert = await this.alerts.get(id);
    await this.checkAlert(p, alert, id);
    return alert;
  }

  /** 403 unless the alert is within the principal's reach (its unit for a district user; its contracts for an operator). */
  private async checkAlert(p: Principal, alert: { unit: string; node: string }, id: string): Promise<void> {
    if (p.role === 'operator') {
      if (!this.scope.alertInReach(await this.scope.reach(p), alert)) throw new ForbiddenError(`alert ${id} is not covered by the contracts of ${p.operator ?? p.username}`);
      return;
    }
    this.scope.checkUnit(p, alert.unit, `alert ${id}`);
  }

  /** Acknowledged by the signed-in user; recorded in the audit log. */
  @Post(':id/ack')
  @SelfAudited()
  @HttpCode(200)
  @Roles('ops', 'operator')
  async ack(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    const b = parseInput(AckSchema, body, 'acknowledgement');
    if (p.role === 'operator') await this.checkAlert(p, await this.alerts.get(id), id);
    const result = await this.alerts.ack(id, p.username, b.comment || null);
    await this.audit.record({ actor: `user:${p.username}`, action: 'alert.ack', target: id, after: { comment: b.comment ?? null } });
    return result;
  }

  /**
   * Acknowledges an outage group in one click (docs/ALERTS.md "Outage groups"): every open member
   * not yet acknowledged, by the signed-in user; only members in the user's scope; one audit entry
   * naming the group and the members acknowledged.
   */
  @Post('groups/:group/ack')
  @SelfAudited()
  @HttpCode(200)
  @Roles('ops', 'operator')
  async ackGroup(@Param('group') group: string, @Body() body: unknown, @CurrentUser() p: Principal) {
    const b = parseInput(AckSchema, body, 'acknowledgement');
    // An operator acknowledges the members its contracts cover (as one by one), of the group as it sees it.
    const reach = await this.scope.reach(p);
    const sees = reach ? (a: { unit: string; node: string }) => this.scope.alertInReach(reach, a) : undefined;
    const result = await this.alerts.ackGroup(group, p.username, b.comment || null, sees);
    await this.audit.record({ actor: `user:${p.username}`, action: 'alert.ack-group', target: group, after: { comment: b.comment ?? null, acknowledged: result.acknowledged } });
    return result;
  }

  @Get(':id/deliveries')
  @Roles('ops', 'leader', 'district', 'operator')
  async deliveries(@Param('id') id: string, @CurrentUser() p: Principal) {
    await this.checkAlert(p, await this.alerts.get(id), id);
    const deliveries = await this.alerts.deliveries(id);
    // A robot's answer may echo the URL it was called with (and its credential).
    return seesCredentials(p) ? deliveries : deliveries.map((d) => ({ ...d, error: d.error === null ? null : maskUrlsIn(d.error) }));
  }
}

@Controller('api/v1/alert-rules')
export class AlertRulesController {
  constructor(private readonly alerts: AlertsService) {}

  // Operators read the rules too: their alert list names each alert's rule and threshold.
  @Get()
  @Roles('ops', 'leader', 'district', 'operator')
  list() {
    return this.alerts.listRules();
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district', 'operator')
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
    private readonly scope: ScopeService,
  ) {}

  /**
   * `?active=true` (default): active and future silences; `false`: all, newest first. A district
   * user sees the silences that name nothing outside its unit (those for its unit or its nodes,
   * and those for a rule everywhere), not another district's.
   */
  @Get()
  @Roles('ops', 'leader', 'district')
  async list(@Query() query: unknown, @CurrentUser() p: Principal) {
    const all = await this.alerts.listSilences(parseInput(SilenceListSchema, query, 'silence query').active === 'true');
    return all.filter((s) => this.seen(p, s));
  }

  private seen(p: Principal, s: Silence): boolean {
    const m = s.matchers;
    return (m.district === undefined || this.scope.seesUnit(p, this.scope.unitOfSelector(m.district))) && (m.node === undefined || this.scope.seesNode(p, m.node));
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

  /** Robot URLs carry their credential (DingTalk/WeCom/Feishu `access_token`, `key`, hook id): whole for admin and ops only. */
  @Get()
  @Roles('ops', 'leader', 'district')
  list(@CurrentUser() p: Principal) {
    return this.notifier.list(seesCredentials(p));
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district')
  get(@Param('id') id: string, @CurrentUser() p: Principal) {
    return this.notifier.get(id, seesCredentials(p));
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
