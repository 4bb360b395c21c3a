import { STATUS_SEVERITY, UNITS, isUnitCode, type UnitSummary } from '@zhuyun/protocol';

/** Yunyan: the city core stands there; the latency chart's choice when nothing else tells. */
export const FALLBACK_UNIT = '520103';

/**
 * The district or zone the latency chart opens on when the page did not ask for one: the worst
 * unit that has nodes (districts before zones, in protocol order, on a tie), so a wall screen shows
 * the trouble without a click.
 */
export function pickInitialUnit(units: readonly UnitSummary[]): string {
  const order = new Map(UNITS.map((u, i) => [u.code, i]));
  const withNodes = units.filter((u) => u.counts.up + u.counts.degraded + u.counts.down + u.counts.unknown > 0 && order.has(u.code));
  if (withNodes.length === 0) return FALLBACK_UNIT;
  return [...withNodes].sort((a, b) => STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status] || order.get(a.code)! - order.get(b.code)!)[0].code;
}

/** `?district=<code>` of the page URL, when it names a district or zone. */
export function selectionFromUrl(search: string): string | null {
  const code = new URLSearchParams(search).get('district');
  return code && isUnitCode(code) ? code : null;
}
