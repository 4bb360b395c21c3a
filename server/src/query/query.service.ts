import { Inject, Injectable } from '@nestjs/common';
import { SeriesQuerySchema, findUnit, pickStep, resolveUnit, type SeriesResponse } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { ValidationError } from '../common/errors.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';

/** Longest range one query may ask for. */
const MAX_RANGE_MS = 5 * 366 * 24 * 3_600_000;
const DEFAULT_RANGE_MS = 3_600_000;

/** Epoch ms or ISO-8601; the parameter is named in the error. */
export function parseTime(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ValidationError(`${name}=${JSON.stringify(value)} is neither epoch milliseconds nor an ISO-8601 time`);
  return t;
}

@Injectable()
export class QueryService {
  constructor(
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `GET /api/v1/series`: the step is picked from the range when not given. */
  async series(query: unknown): Promise<SeriesResponse> {
    const parsed = SeriesQuerySchema.safeParse(query);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new ValidationError(`bad series query: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
    }
    const q = parsed.data;
    const to = parseTime('to', q.to, this.clock.now());
    const from = parseTime('from', q.from, to - DEFAULT_RANGE_MS);
    if (from > to) throw new ValidationError(`from (${new Date(from).toISOString()}) is after to (${new Date(to).toISOString()})`);
    if (to - from > MAX_RANGE_MS) throw new ValidationError('the range is longer than five years');
    const match: Record<string, string> = {};
    if (q.district !== undefined) {
      // As in the live topic `district:<code>`: the unit's own extranet segment. A zone's nodes
      // stand in a district but belong to the zone (Article 9), so they are not in the district's.
      const where = resolveUnit(q.district);
      if (!where) throw new ValidationError(`unknown district ${JSON.stringify(q.district)}`);
      match.unit = where.unit;
    }
    if (q.unit !== undefined) {
      if (!findUnit(q.unit)) throw new ValidationError(`unknown unit ${JSON.stringify(q.unit)}`);
      match.unit = q.unit;
    }
    if (q.node !== undefined) match.node = q.node;
    const step = q.step ?? pickStep(from, to);
    const series = await this.store.query({ metric: q.metric, match, from, to, step });
    return { metric: q.metric, from, to, step, series };
  }
}
