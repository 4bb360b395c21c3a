import { Inject, Injectable, Optional } from '@nestjs/common';
import { UNITS, addMonths, isMonth, monthOf, monthRange } from '@zhuyun/protocol';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseInput } from '../common/validate.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { buildComparison, counterIncrease, type ComparisonRow, type UnitFacts, type UnitPlatformUse, type ZoneFilter } from './comparison.js';
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
  rows: ComparisonRow[];
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
    const [current, previous] = await Promise.all([this.facts(m), this.facts(prev)]);
    return {
      month: m,
      previousMonth: prev,
      zones,
      sources: { sla: !!this.sla, migration: !!this.migration, platform: true },
      rows: buildComparison(UNITS, current, previous, zones),
    };
  }

  private async facts(month: string): Promise<Map<string, UnitFacts>> {
    const [availability, migration, platform] = await Promise.all([
      this.sla?.availabilityByUnit(month),
      this.migration?.migrationByUnit(month),
      this.platformUse(month),
    ]);
    return new Map(
      UNITS.map((u) => [
        u.code,
        { availability: availability?.get(u.code) ?? null, migration: migration?.get(u.code) ?? null, platform: platform.get(u.code) ?? null },
      ]),
    );
  }

  /**
   * Platform use per unit: the growth over the month of the sharing and open platforms' counters
   * reported with that unit's tag (hourly rollups; a restart of a counter is not a loss).
   */
  async platformUse(month: string): Promise<Map<string, UnitPlatformUse>> {
    const { from, to } = monthRange(month);
    const end = Math.min(to - 1, this.clock.now());
    const out = new Map<string, UnitPlatformUse>();
    if (end < from) return out;
    for (const [field, metric] of Object.entries(PLATFORM_COUNTERS) as Array<[keyof UnitPlatformUse, string]>) {
      const series = await this.store.query({ metric, match: {}, from, to: end, step: '1h', maxSeries: 5_000 });
      for (const s of series) {
        const unit = s.tags.unit ?? s.tags.district;
        if (!unit) continue;
        const maxima = s.points.map((p) => (p.length === 5 ? p[3] : p[1]));
        let row = out.get(unit);
        if (!row) out.set(unit, (row = { shareApiCalls: 0, shareRecords: 0, openApiCalls: 0, openDownloads: 0 }));
        row[field] += counterIncrease(maxima);
      }
    }
    return out;
  }
}
