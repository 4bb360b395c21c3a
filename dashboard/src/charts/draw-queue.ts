/**
 * A queue of chart draws that runs one draw per task, so that several charts updated by the same
 * change (the district page's four charts when a series arrives, the overview's latency chart next
 * to the map's first draw) are painted in separate tasks, none of them long, instead of all in one
 * Vue flush. Each chart has one place in the queue (its key): a draw asked for a chart already
 * waiting replaces the waiting one (only the newest option is drawn) and keeps its place. Draws run
 * in the order their charts first asked; a draw is never run in the task that asked for it.
 */
export interface DrawQueue {
  /** Queues `draw` for `key`, replacing a draw still waiting for the same key. */
  enqueue(key: object, draw: () => void): void;
  /** Drops the draw waiting for `key`, if any (the chart is going away). */
  cancel(key: object): void;
  /** Draws waiting. */
  readonly size: number;
}

/** Schedules `run` in a later task (setTimeout in the page; by hand in tests). */
export type Tick = (run: () => void) => void;

export function createDrawQueue(tick: Tick): DrawQueue {
  const waiting = new Map<object, () => void>();
  let scheduled = false;

  function schedule(): void {
    if (scheduled || waiting.size === 0) return;
    scheduled = true;
    tick(runOne);
  }

  function runOne(): void {
    scheduled = false;
    const next = waiting.entries().next();
    if (next.done) return;
    const [key, draw] = next.value;
    waiting.delete(key);
    try {
      draw();
    } finally {
      // The next chart's draw goes to the next task, even when this one threw.
      schedule();
    }
  }

  return {
    enqueue(key, draw) {
      waiting.set(key, draw); // a key already waiting keeps its place (Map order is first insertion)
      schedule();
    },
    cancel(key) {
      waiting.delete(key);
    },
    get size() {
      return waiting.size;
    },
  };
}

/** The page's queue: one chart draw per macrotask (setTimeout 0, which also runs in a hidden tab). */
export const chartDraws: DrawQueue = createDrawQueue((run) => setTimeout(run, 0));
