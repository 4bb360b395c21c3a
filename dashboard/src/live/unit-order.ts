import { UNIT_LEVELS, findUnit, type StatusCounts, type UnitLevel, type UnitSummary } from '@zhuyun/protocol';
import { unitName, type Locale } from '../i18n/messages';

/**
 * The order every list of units takes (issue 14: "the worst units first in any list"): most nodes
 * down first, then most degraded, then by name in the language (pinyin order in Chinese). A unit
 * the protocol does not know sorts by its code.
 */
export function compareUnitsWorstFirst(locale: Locale): (a: UnitSummary, b: UnitSummary) => number {
  const collator = new Intl.Collator(locale);
  const name = (code: string) => {
    const u = findUnit(code);
    return u ? unitName(u, locale) : code;
  };
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
