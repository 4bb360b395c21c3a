import { Inject, Injectable, Optional } from '@nestjs/common';
import { UNITS, addMonths, isMonth, monthOf, monthRange } from '@zhuyun/protocol';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseInput } from '../common/validate.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { COVERAGE_MIN_PCT, buildComparison, counterIncrease, type ComparisonRow, type UnitFacts, type UnitPlatformUse, type ZoneFilter } from './comparison.js';
import { MIGRATION_FIGURES, SLA_FIGURES, type MigrationFigures, type SlaFigures } from './comparison.ports.js';

export const QuerySchema = z.strictObject({
  month: z.string().refine(isMonth, 'must be a month YYYY-MM').optional(),
  zones: z.enum(['include', 'exclude', 'only']).default('include'),
  format: z.enum(['json', 'csv']).default('json'),
});

const PLATFORM_COUNTERS = {
  shareApiCalls: 'share.api_calls_total',
  shareRecords: 'share.records_total',
  openApiCalls: 'open.api_calls_total',
  openDownloads: 'open.downloads_total',
} as const satisfies Record<keyof UnitPlatformUse, string>;

export interface ComparisonResponse {
  month: string;
  previousMonth: string;
  zones: ZoneFilter;
  /** Which parts are measured in this deployment (a module absent shows its columns as null). */
  sources: { sla: boolean; migration: boolean; platform: boolean };
  /** Coverage (% of the minutes so far measured) below which a unit's availability is not ranked. */
  coverageMinPct: number;
  rows: ComparisonRow[];
  /**
   * The sharing and open platforms' use in the month, city-wide: they serve every unit, and their
   * counters carry no calling unit (only where their collector stands), so no unit is credited.
   * Null when no platform counter was reported in the month.
   */
  platform: UnitPlatformUse | null;
}

/** District comparison for leadership: per unit and month, with month over month. */
@Injectable()
export class ComparisonService {
  constructor(
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(SLA_FIGURES) private readonly sla?: SlaFigures,
    @Optional() @Inject(MIGRATION_FIGURES) private readonly migration?: MigrationFigures,
  ) {}

  parseQuery(query: unknown) {
    return parseInput(QuerySchema, query, 'comparison query');
  }

  async compare(month: string | undefined, zones: ZoneFilter): Promise<ComparisonResponse> {
    const m = month ?? monthOf(this.clock.now());
    const prev = addMonths(m, -1);
    const [current, previous, platform] = await Promise.all([this.facts(m), this.facts(prev), this.platformUse(m)]);
    return {
      month: m,
      previousMonth: prev,
      zones,
      sources: { sla: !!this.sla, migration: !!this.migration, platform: true },
      coverageMinPct: COVERAGE_MIN_PCT,
      rows: buildComparison(UNITS, current, previous, zones),
      platform,
    };
  }

  private async facts(month: string): Promise<Map<string, UnitFacts>> {
    const [availability, migration] = await Promise.all([this.sla?.availabilityByUnit(month), this.migration?.migrationByUnit(month)]);
    return new Map(UNITS.map((u) => [u.code, { availability: availability?.get(u.code) ?? null, migration: migration?.get(u.code) ?? null }]));
  }

  /**
   * The platforms' use in the month, city-wide: the growth of the sharing and open platforms'
   * counters over all their series (hourly rollups; a restart of a counter is not a loss). The
   * series' `district` tag is where the collector stands (观山湖 for the city's platforms), not the
   * unit that called, so it is not a unit's figure (issue 15 item 14). Null when nothing reported.
   */
  async platformUse(month: string): Promise<UnitPlatformUse | null> {
    const { from, to } = monthRange(month);
    const end = Math.min(to - 1, this.clock.now());
    if (end < from) return null;
    const out: UnitPlatformUse = { shareApiCalls: 0, shareRecords: 0, openApiCalls: 0, openDownloads: 0 };
    let any = false;
    for (const [field, metric] of Object.entries(PLATFORM_COUNTERS) as Array<[keyof UnitPlatformUse, string]>) {
      const series = await this.store.query({ metric, match: {}, from, to: end, step: '1h', maxSeries: 5_000 });
      for (const s of series) {
        const maxima = s.points.map((p) => (p.length === 5 ? p[3] : p[1]));
        if (maxima.length) any = true;
        const first = s.points[0];
        out[field] += counterIncrease(maxima, first && first.length === 5 ? first[2] : undefined);
      }
    }
    return any ? out : null;
  }
}
