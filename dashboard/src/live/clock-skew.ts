import { FRESH_MS } from '@zhuyun/protocol';

/**
 * Below this a collector's estimated skew is noise (network time, its probe interval when the
 * estimate comes from its newest point): not shown.
 */
export const SHOWN_SKEW_MS = 60_000;

export interface ClockSkew {
  dir: 'behind' | 'ahead';
  unit: 'seconds' | 'minutes' | 'hours';
  n: number;
  /** Beyond FRESH_MS: the server stores its points but they do not count as live (nodes "unknown"). */
  late: boolean;
}

/** A collector's clock skew as the dashboard says it (`clockSkewMs` of GET /api/v1/collectors); null: nothing to say. Pure. */
export function clockSkewOf(skewMs: number | null | undefined): ClockSkew | null {
  if (skewMs === null || skewMs === undefined || Math.abs(skewMs) < SHOWN_SKEW_MS) return null;
  const s = Math.floor(Math.abs(skewMs) / 1000);
  const [unit, n] = s < 60 ? (['seconds', s] as const) : s < 3600 ? (['minutes', Math.floor(s / 60)] as const) : (['hours', Math.floor(s / 3600)] as const);
  return { dir: skewMs < 0 ? 'behind' : 'ahead', unit, n, late: Math.abs(skewMs) > FRESH_MS };
}
