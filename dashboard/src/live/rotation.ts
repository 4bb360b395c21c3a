import { UNITS, isUnitCode, type UnitSummary } from '@zhuyun/protocol';

/** The wall's rotation: default seconds per district, and the bounds a `?rotate=` is held to. */
export const ROTATE_DEFAULT_S = 15;
export const ROTATE_MIN_S = 5;
export const ROTATE_MAX_S = 600;

export interface WallParams {
  /** Seconds each district or zone stays on the panel. */
  rotateS: number;
  /** The codes asked for with `?units=`, in that order; null: every unit that has nodes. */
  units: string[] | null;
}

/**
 * The wall's query string: `rotate=<seconds>` (5–600, default 15; out of range is clamped, not a
 * number is the default) and `units=<code>,<code>` (unknown codes are left out; none left: all).
 */
export function wallParams(search: string): WallParams {
  const q = new URLSearchParams(search);
  const raw = Number(q.get('rotate'));
  const rotateS = q.get('rotate') === null || !Number.isFinite(raw) || raw <= 0 ? ROTATE_DEFAULT_S : Math.min(ROTATE_MAX_S, Math.max(ROTATE_MIN_S, Math.round(raw)));
  const listed = (q.get('units') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((c, i, all) => c && isUnitCode(c) && all.indexOf(c) === i);
  return { rotateS, units: listed.length ? listed : null };
}

/**
 * The codes the wall rotates through: the ones asked for, else every district and zone that has
 * nodes, in protocol order (districts first). Empty while nothing reports.
 */
export function rotationUnits(summaries: readonly UnitSummary[] | null, asked: readonly string[] | null): string[] {
  if (asked) return [...asked];
  const withNodes = new Set((summaries ?? []).filter((u) => u.counts.up + u.counts.degraded + u.counts.down + u.counts.unknown > 0).map((u) => u.code));
  return UNITS.map((u) => u.code).filter((c) => withNodes.has(c));
}

/** The index after `current` in a list of `length`, wrapping; 0 for an empty list. */
export function nextIndex(current: number, length: number): number {
  return length === 0 ? 0 : (current + 1) % length;
}
