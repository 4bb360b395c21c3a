import { UNIT_LEVELS, findUnit, type StatusCounts, type UnitLevel, type UnitSummary } from '@zhuyun/protocol';
import { unitName, unitShortName, type Locale } from '../i18n/messages';

/**
 * A unit's name in a list: a district's full name (南明区), a zone's short one (高新区; the full
 * names run to a dozen characters and all begin 贵阳…). A code the protocol does not know, as it is.
 */
export function listName(code: string, locale: Locale): string {
  const u = findUnit(code);
  if (!u) return code;
  return u.kind === 'zone' ? unitShortName(u, locale) : unitName(u, locale);
}

/**
 * The order every list of units takes (issue 14: "the worst units first in any list"): most nodes
 * down first, then most degraded, then by the name the list shows (listName; pinyin order in
 * Chinese).
 */
export function compareUnitsWorstFirst(locale: Locale): (a: UnitSummary, b: UnitSummary) => number {
  const collator = new Intl.Collator(locale);
  const name = (code: string) => listName(code, locale);
  return (a, b) => b.counts.down - a.counts.down || b.counts.degraded - a.counts.degraded || collator.compare(name(a.code), name(b.code)) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** A copy of `units`, worst first (compareUnitsWorstFirst). */
export function sortUnitsWorstFirst<T extends UnitSummary>(units: readonly T[], locale: Locale): T[] {
  return [...units].sort(compareUnitsWorstFirst(locale));
}

/** Nodes a unit counts (stale ones are apart, in `stale`). */
export function nodesOf(c: StatusCounts): number {
  return c.up + c.degraded + c.down + c.unknown;
}

/** One level of a unit as a list and a tooltip show it: how many nodes, how many of them down or degraded. */
export interface LevelLine {
  level: UnitLevel;
  total: number;
  down: number;
  degraded: number;
}

/** The unit's levels that have nodes, in the tree's order (core, township, village, department). */
export function levelLines(summary: Pick<UnitSummary, 'levels'>): LevelLine[] {
  const levels = summary.levels ?? {};
  return UNIT_LEVELS.filter((l) => levels[l] && nodesOf(levels[l]!) > 0).map((level) => {
    const c = levels[level]!;
    return { level, total: nodesOf(c), down: c.down, degraded: c.degraded };
  });
}
