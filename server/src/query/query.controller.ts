import { Controller, Get, Inject, Query } from '@nestjs/common';
import { UNITS, type SeriesResponse, type StatusCounts, type UnitSummary } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { ForbiddenError } from '../common/errors.js';
import { Roles } from '../common/roles.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { StatusService } from '../status/status.service.js';
import { QueryService } from './query.service.js';

export interface DistrictsResponse {
  ts: number;
  counts: StatusCounts;
  units: Array<UnitSummary & { kind: 'district' | 'zone'; zh: string; en: string; nodes: number }>;
}

@Controller('api/v1')
export class QueryController {
  constructor(
    private readonly query: QueryService,
    private readonly status: StatusService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('series')
  @Roles('ops', 'leader', 'district')
  series(@Query() q: Record<string, unknown>, @CurrentUser() p: Principal): Promise<SeriesResponse> {
    // A district user reads its own district's series only.
    if (p.role === 'district') {
      if (q.district !== undefined && q.district !== p.district) throw new ForbiddenError(`a district user of ${p.district} may not read district ${String(q.district)}`);
      q = { ...q, district: p.district };
    }
    return this.query.series(q);
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
