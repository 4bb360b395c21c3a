/**
 * Throttled logins, counted instead of written one by one (issue 13): a guesser refused with 429
 * thousands of times a second must not write thousands of audit rows and log lines. Each window
 * (from the first refused attempt of a key until its block lifts) becomes one audit row with the
 * number of attempts, written when the window closes. Pure: time is passed in.
 */
export interface ThrottledWindow {
  /** The name tried first in the window (an address block covers every name tried from it). */
  actor: string;
  address: string;
  /** True when the address was blocked (every account from it), false for one account. */
  byAddress: boolean;
  first: number;
  last: number;
  /** When the block lifts: the window closes then. */
  until: number;
  attempts: number;
  /** Distinct names tried in the window, at most MAX_NAMES kept. */
  names: Set<string>;
}

const MAX_NAMES = 20;

export class ThrottledWindows {
  private readonly open = new Map<string, ThrottledWindow>();
  /** Windows that ended and were replaced by a new one of their key before `due` collected them. */
  private closed: ThrottledWindow[] = [];

  /** `maxKeys`: beyond this many open windows, further attempts are counted in one overflow window. */
  constructor(private readonly maxKeys = 10_000) {}

  /**
   * Counts one refused attempt. True when it opened a window (the first refusal of its key since
   * the last window closed): the caller logs that once.
   */
  hit(e: { name: string; address: string; byAddress: boolean }, now: number, until: number): boolean {
    let key = e.byAddress ? `*|${e.address}` : `${e.name.toLowerCase()}|${e.address}`;
    if (!this.open.has(key) && this.open.size >= this.maxKeys) key = '*|*';
    const w = this.open.get(key);
    if (w && w.until > now) {
      w.attempts++;
      w.last = now;
      if (w.names.size < MAX_NAMES) w.names.add(e.name);
      return false;
    }
    // A window that ended but was not collected yet waits for `due` beside its successor.
    if (w) this.closed.push(w);
    this.open.set(key, { actor: e.name, address: key === '*|*' ? '*' : e.address, byAddress: e.byAddress, first: now, last: now, until, attempts: 1, names: new Set([e.name]) });
    return true;
  }

  /** Removes and returns the windows that have closed by `now`. */
  due(now: number): ThrottledWindow[] {
    const out = this.closed;
    this.closed = [];
    for (const [key, w] of this.open) {
      if (w.until <= now) {
        out.push(w);
        this.open.delete(key);
      }
    }
    return out;
  }

  /** Removes and returns every window, closed or not (at shutdown: nothing counted is lost). */
  drain(): ThrottledWindow[] {
    const out = [...this.closed, ...this.open.values()];
    this.closed = [];
    this.open.clear();
    return out;
  }
}
