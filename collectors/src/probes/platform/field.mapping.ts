/**
 * Pure parts of the platform probe: reading a value at a dotted JSON path, and turning a count
 * that restarts every period into a monotonic counter.
 */

/** What a path found: a number, nothing there, or something that is not a number. */
export type Lookup = { kind: 'number'; value: number } | { kind: 'missing' } | { kind: 'not_a_number'; found: string };

/**
 * The value at `path` (`data.calls.total`, `items.0.count`: a numeric segment indexes an array).
 * Numbers, numeric strings (`"18725"`, many platforms send counts as strings) and booleans (1/0) are
 * numbers; null or an absent key is `missing`; anything else is `not_a_number`.
 */
export function lookup(doc: unknown, path: string): Lookup {
  let node: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, segment)) {
      node = (node as Record<string, unknown>)[segment];
    } else return { kind: 'missing' };
  }
  if (node === null || node === undefined) return { kind: 'missing' };
  if (typeof node === 'boolean') return { kind: 'number', value: node ? 1 : 0 };
  if (typeof node === 'number') return Number.isFinite(node) ? { kind: 'number', value: node } : { kind: 'not_a_number', found: String(node) };
  if (typeof node === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(node)) return { kind: 'number', value: Number(node) };
  const shown = typeof node === 'string' ? JSON.stringify(node) : Array.isArray(node) ? 'a list' : typeof node === 'object' ? 'an object' : String(node);
  return { kind: 'not_a_number', found: shown.length > 60 ? `${shown.slice(0, 57)}...` : shown };
}

/**
 * Accumulates a count that grows within a period and restarts at the next (`calls_today`) into a
 * counter that only grows, as Prometheus' `increase()` reads a counter with resets:
 * - the first reading sets the baseline and the counter starts at 0 (what came before the agent
 *   started is unknown, and counting it would double it after an agent restart);
 * - a reading at or above the previous one adds the difference;
 * - a reading below the previous one is a new period (or the platform restarted): everything
 *   counted since the reset, i.e. the reading itself, is added.
 * A reading skipped because the field was missing changes nothing: the next one is compared with
 * the last one seen.
 */
export class PeriodCounter {
  private previous: number | undefined;
  private total = 0;

  /** Takes a reading; returns the counter's new value. */
  add(reading: number): number {
    if (this.previous !== undefined) this.total += reading >= this.previous ? reading - this.previous : reading;
    this.previous = reading;
    return this.total;
  }
}
