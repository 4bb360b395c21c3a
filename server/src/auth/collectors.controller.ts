import { Controller, Get, Inject } from '@nestjs/common';
import type { CollectorState, CollectorsResponse } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { collectorHealth } from './collector-health.js';
import { CollectorTokensService } from './collector-tokens.service.js';

/**
 * The collector registry, read only: who reports, from where, what version, last seen, and whether
 * it is lost. Issuing and revoking tokens stays with the admin CLI until accounts and roles exist.
 */
@Controller('api/v1/collectors')
export class CollectorsController {
  constructor(
    private readonly tokens: CollectorTokensService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(): Promise<CollectorsResponse> {
    const now = this.clock.now();
    const collectors = (await this.tokens.list()).map((c) => collectorHealth(c, now));
    const counts: Record<CollectorState, number> = { ok: 0, lost: 0, never_seen: 0, revoked: 0 };
    for (const c of collectors) counts[c.state]++;
    return { ts: now, counts, collectors };
  }
}
