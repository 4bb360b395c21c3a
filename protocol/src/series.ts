import { z } from 'zod';

/** Steps the server can answer at; `raw` reads stored points as they are. */
export const STEPS = ['raw', '1m', '1h'] as const;
export type Step = (typeof STEPS)[number];
export const STEP_MS: Record<Exclude<Step, 'raw'>, number> = { '1m': 60_000, '1h': 3_600_000 };

/** `GET /api/v1/series` query string. `from`/`to` take epoch ms or ISO-8601. */
export const SeriesQuerySchema = z.object({
  metric: z.string().min(1, 'metric is required'),
  district: z.string().optional(),
  unit: z.string().optional(),
  node: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  step: z.enum(STEPS).optional(),
});

/** One returned series: raw points are [ts, value]; rolled-up points are [ts, mean, min, max, count]. */
export interface SeriesData {
  metric: string;
  tags: Record<string, string>;
  points: Array<[number, number] | [number, number, number, number, number]>;
}

export interface SeriesResponse {
  metric: string;
  from: number;
  to: number;
  step: Step;
  series: SeriesData[];
}

/**
 * The step a query without one reads at: raw up to 6 hours, 1-minute buckets up to 7 days, hourly
 * beyond. A 30-day chart thus never reads raw rows.
 */
export function pickStep(fromMs: number, toMs: number): Step {
  const span = toMs - fromMs;
  if (span <= 6 * 3_600_000) return 'raw';
  if (span <= 7 * 24 * 3_600_000) return '1m';
  return '1h';
}
