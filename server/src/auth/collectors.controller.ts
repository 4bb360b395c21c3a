import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { isUnitCode, type CollectorState, type CollectorsResponse } from '@zhuyun/protocol';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { Roles } from '../common/roles.js';
import { parseInput } from '../common/validate.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { collectorHealth } from './collector-health.js';
import { CollectorTokensService, parseCollectorUnits } from './collector-tokens.service.js';
import { SelfAudited } from '../security/audit.interceptor.js';
import { NodesService } from '../nodes/nodes.service.js';

export const NewCollectorSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'a collector id: letters, digits, _ . : - (at most 128)'),
  district: z.string().refine(isUnitCode, 'must be a district code (520103) or a zone id (gy-hitech)'),
  /** Units it may report besides its district (a city-level or platforms' collector), or '*'. */
  units: z
    .union([z.literal('*'), z.array(z.string().refine(isUnitCode, 'must be a district code (520103) or a zone id (gy-hitech)')).max(100)])
    .optional(),
});

/**
 * The collector registry: who reports, from where, what version, last seen, whether it is lost;
 * admins issue and revoke tokens here (or with the admin CLI). A token is shown once.
 */
@Controller('api/v1/collectors')
export class CollectorsController {
  constructor(
    private readonly tokens: CollectorTokensService,
    private readonly audit: AuditService,
    private readonly nodes: NodesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('ops', 'leader', 'district')
  async list(@CurrentUser() p: Principal): Promise<CollectorsResponse> {
    const now = this.clock.now();
    const collectors = (await this.tokens.list()).filter((c) => p.role !== 'district' || c.district === p.district).map((c) => collectorHealth(c, now));
    const counts: Record<CollectorState, number> = { ok: 0, lost: 0, never_seen: 0, revoked: 0 };
    for (const c of collectors) counts[c.state]++;
    return { ts: now, counts, collectors };
  }

  @Post()
  @SelfAudited()
  @Roles()
  async add(@Body() body: unknown, @CurrentUser() p: Principal): Promise<{ id: string; district: string; units: string[] | '*'; token: string }> {
    const c = parseInput(NewCollectorSchema, body, 'collector');
    const units = parseCollectorUnits(c.units ?? []);
    const token = await this.tokens.add(c.id, c.district, { units });
    await this.audit.record({ actor: `user:${p.username}`, action: 'collector.token.issue', target: c.id, after: { district: c.district, units } });
    return { id: c.id, district: c.district, units, token };
  }

  /**
   * Revokes at once: the collector's next request is refused with 401. The registered nodes only it
   * reported are retired (docs/NODES.md): nothing else will speak for them.
   */
  @Delete(':id')
  @SelfAudited()
  @HttpCode(204)
  @Roles()
  async revoke(@Param('id') id: string, @CurrentUser() p: Principal): Promise<void> {
    await this.tokens.revoke(id);
    await this.audit.record({ actor: `user:${p.username}`, action: 'collector.token.revoke', target: id });
    await this.nodes.retireOnlyOf(id, `user:${p.username}`);
  }
}
