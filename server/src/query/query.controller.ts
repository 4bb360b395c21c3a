import { Controller, Get, Inject, Query } from '@nestjs/common';
import { UNITS, type SeriesResponse, type StatusCounts, type UnitSummary } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { ForbiddenError } from '../common/errors.js';
import { Roles } from '../common/roles.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { ScopeService, type SelectorKind } from '../security/scope.js';
import { StatusService } from '../status/status.service.js';
import { QueryService } from './query.service.js';

export interface DistrictsResponse {
  ts: number;
  counts: StatusCounts;
  units: Array<UnitSummary & { kind: 'district' | 'zone'; zh: string; en: string; nodes: number }>;
}

/** The selectors of `GET /api/v1/series` (SeriesQuerySchema): each one is checked against the user's scope. */
export const SERIES_SELECTORS: Readonly<Record<string, SelectorKind>> = { district: 'unit', unit: 'unit', node: 'node' };

@Controller('api/v1')
export class QueryController {
  constructor(
    private readonly query: QueryService,
    private readonly status: StatusService,
    private readonly scope: ScopeService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('series')
  @Roles('ops', 'leader', 'district', 'operator')
  async series(@Query() q: Record<string, unknown>, @CurrentUser() p: Principal): Promise<SeriesResponse> {
    if (p.role === 'operator') {
      // An operator (issue 15: its live status view) reads the series of what its contracts cover:
      // every selector must be in its reach; with none, the first of its units.
      const reach = (await this.scope.reach(p))!;
      this.scope.checkSelectors(p, reach, q, SERIES_SELECTORS);
      if (q.district === undefined && q.unit === undefined && q.node === undefined) {
        const first = [...reach.units].sort()[0];
        if (!first) throw new ForbiddenError(`the contracts of ${p.operator ?? p.username} cover no district or zone`);
        return this.query.series({ ...q, unit: first });
      }
      return this.query.series(q);
    }
    // A district user reads its own unit's series only, whichever selector names the place.
    return this.query.series(this.scope.confine(p, q, SERIES_SELECTORS, 'unit'));
  }

  /** Every district and zone with its status and node counts. */
  @Get('districts')
  @Roles('ops', 'leader', 'district')
  districts(@CurrentUser() p: Principal): DistrictsResponse {
    const o = this.status.overview();
    const byCode = new Map(o.units.map((u) => [u.code, u]));
    return {
      ts: this.clock.now(),
      counts: p.role === 'district' ? (byCode.get(p.district!)?.counts ?? o.counts) : o.counts,
      units: UNITS.filter((u) => p.role !== 'district' || u.code === p.district).map((u) => {
        const s = byCode.get(u.code)!;
        const nodes = s.counts.up + s.counts.degraded + s.counts.down + s.counts.unknown;
        return { ...s, kind: u.kind, zh: u.zh, en: u.en, nodes };
      }),
    };
  }
}
