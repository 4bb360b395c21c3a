import type { AlertWithRule } from '@zhuyun/protocol';
import { sortAlerts } from '../alerts/alerts-model';

/**
 * The wall's pure parts (docs/DASHBOARD.md "Wall"): which unit the panel shows next, which alerts
 * the strip holds, and how large the type is for the screen. WallView.vue only draws them.
 */

// ---- what the panel shows ----

/**
 * The panel's state. The units turn in cycles, each cycle in the order the wall had when it began
 * (worst first, so faults come first in every round); a unit that gets a firing P1 comes forward at
 * once instead of waiting for its turn.
 */
export interface WallTurn {
  /** The unit on the panel; null before any unit reports. */
  current: string | null;
  /** Why it is there: its turn in the cycle, or a P1 that fired on it. */
  reason: 'cycle' | 'p1';
  /** The rest of the current cycle, in order. */
  cycle: string[];
  /** Units whose P1 fired while the panel already showed one for a P1: next, before the cycle. */
  queue: string[];
  /** Units with a firing P1 at the last look: a unit comes forward when it enters this list. */
  hot: string[];
}

export const WALL_START: WallTurn = { current: null, reason: 'cycle', cycle: [], queue: [], hot: [] };

/**
 * The timer's turn: the next unit queued for a P1 (still firing and still on the wall), else the
 * next of the cycle; a spent cycle starts again from `order` (the rotation's units, worst first),
 * without showing the unit just shown twice running. `order` empty: nothing to show.
 */
export function nextTurn(s: WallTurn, order: readonly string[]): WallTurn {
  if (order.length === 0) return { ...s, current: null, reason: 'cycle', cycle: [], queue: [] };
  const onWall = new Set(order);
  const queue = s.queue.filter((c) => onWall.has(c) && s.hot.includes(c) && c !== s.current);
  if (queue.length) {
    const [next, ...rest] = queue;
    return { ...s, current: next, reason: 'p1', queue: rest, cycle: s.cycle.filter((c) => c !== next) };
  }
  let cycle = s.cycle.filter((c) => onWall.has(c));
  if (cycle.length === 0) {
    cycle = [...order];
    if (cycle.length > 1 && cycle[0] === s.current) cycle.shift();
  }
  const [next, ...rest] = cycle;
  return { ...s, current: next, reason: 'cycle', queue: [], cycle: rest };
}

/**
 * The firing P1s changed (`p1`: the units with one, the first fired first). A unit that was not in
 * the list comes forward at once (`interrupt`: the view restarts its timer so it gets a whole turn)
 * — unless the panel already shows a unit for a P1 still firing: then it waits in the queue, next.
 * Units off the wall (`order`, e.g. a `?units=` list without them) are not brought forward.
 */
export function onP1(s: WallTurn, p1: readonly string[], order: readonly string[]): { turn: WallTurn; interrupt: boolean } {
  const onWall = new Set(order);
  const fresh = p1.filter((c) => !s.hot.includes(c) && onWall.has(c));
  const hot = [...p1];
  // Called on every alerts frame: the same state when nothing changed, so nothing redraws.
  if (fresh.length === 0) return { turn: hot.length === s.hot.length && hot.every((c, i) => c === s.hot[i]) ? s : { ...s, hot }, interrupt: false };
  const holding = s.reason === 'p1' && s.current !== null && p1.includes(s.current);
  if (holding) {
    const queue = [...s.queue, ...fresh.filter((c) => c !== s.current && !s.queue.includes(c))];
    return { turn: { ...s, hot, queue }, interrupt: false };
  }
  const [next, ...rest] = fresh;
  const queue = [...s.queue.filter((c) => c !== next), ...rest.filter((c) => !s.queue.includes(c))];
  return { turn: { ...s, current: next, reason: 'p1', hot, queue, cycle: s.cycle.filter((c) => c !== next) }, interrupt: true };
}

/** A P1 or P2: what the strip shows. */
const STRIP_SEVERITIES = new Set(['P1', 'P2']);

/** The unit an alert is of: its unit, else its district. */
export function unitOfAlert(a: Pick<AlertWithRule, 'unit' | 'district'>): string {
  return a.unit || a.district;
}

/**
 * The units with a firing P1 not held back, the one whose first P1 fired first leading; each once.
 * A P1 held back behind a down parent (`behind:`) has its cause's alert in the parent's unit, which
 * comes forward instead; a silenced one is known to ops (maintenance) and does not interrupt.
 */
export function p1Units(open: readonly AlertWithRule[]): string[] {
  const first = new Map<string, number>();
  for (const a of open) {
    if (a.severity !== 'P1' || a.state !== 'firing' || a.suppressed) continue;
    const u = unitOfAlert(a);
    if (!u) continue;
    const at = a.firedAt ?? a.activeAt;
    if (!first.has(u) || at < first.get(u)!) first.set(u, at);
  }
  return [...first].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([u]) => u);
}

/**
 * The strip: open P1 and P2 alerts not held back, firing first, P1 before P2, newest first; and how
 * many P1/P2 are held back (behind a down parent — a core down holds back its hundred villages'
 * alerts, which would bury the core's own — or silenced).
 */
export function stripAlerts(open: readonly AlertWithRule[]): { shown: AlertWithRule[]; held: number } {
  const p12 = open.filter((a) => STRIP_SEVERITIES.has(a.severity));
  const shown = sortAlerts(p12.filter((a) => !a.suppressed));
  return { shown, held: p12.length - shown.length };
}

// ---- type sized from the screen ----

/** The screen the wall was drawn for: its sizes in WallView.vue are px at this size. */
export const WALL_DESIGN = { width: 1920, height: 1080 } as const;
/** Below a laptop's half the type would not read; above 8K nobody looks. */
export const WALL_SCALE_MIN = 0.6;
export const WALL_SCALE_MAX = 4;

/**
 * How much larger than at 1920×1080 the wall's type and gaps are: the smaller of the width and
 * height ratios (a wide screen grows with its height, a tall one with its width, so nothing
 * overflows), held to [WALL_SCALE_MIN, WALL_SCALE_MAX]. 3840×2160: 2.
 */
export function wallScale(width: number, height: number): number {
  if (!(width > 0) || !(height > 0)) return 1;
  const s = Math.min(width / WALL_DESIGN.width, height / WALL_DESIGN.height);
  return Math.round(Math.min(WALL_SCALE_MAX, Math.max(WALL_SCALE_MIN, s)) * 1000) / 1000;
}
