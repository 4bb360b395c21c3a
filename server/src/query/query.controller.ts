import { Controller, Get, Inject, Query } from '@nestjs/common';
import { UNITS, type SeriesResponse, type StatusCounts, type UnitSummary } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
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
  series(@Query() q: Record<string, unknown>): Promise<SeriesResponse> {
    return this.query.series(q);
  }

  /** Every district and zone with its status and node counts. */
  @Get('districts')
  districts(): DistrictsResponse {
    const o = this.status.overview();
    const byCode = new Map(o.units.map((u) => [u.code, u]));
    return {
      ts: this.clock.now(),
      counts: o.counts,
      units: UNITS.map((u) => {
        const s = byCode.get(u.code)!;
        const nodes = s.counts.up + s.counts.degraded + s.counts.down + s.counts.unknown;
        return { ...s, kind: u.kind, zh: u.zh, en: u.en, nodes };
      }),
    };
  }
}
