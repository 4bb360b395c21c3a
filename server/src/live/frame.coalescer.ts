import type { LiveFrame } from '@zhuyun/protocol';

interface TopicState {
  seq: number;
  json?: string;
}

/**
 * Coalesces live updates (STYLE rule 7): ingest marks topics dirty as often as it likes; `flush`,
 * called once a second, computes each dirty topic once and yields a frame only when its data
 * differs from the last one sent, with `seq` + 1. Pure apart from the `compute` callback.
 */
export class FrameCoalescer {
  private readonly topics = new Map<string, TopicState>();
  private readonly dirty = new Set<string>();
  private largest = 0;

  markDirty(topics: Iterable<string>): void {
    for (const t of topics) this.dirty.add(t);
  }

  /** The current data as a snapshot, at the topic's current seq. The next change gets seq + 1. */
  snapshot<T>(topic: string, data: T, now: number): LiveFrame<T> {
    const st = this.topics.get(topic) ?? { seq: 0 };
    this.topics.set(topic, st);
    // Whoever held the topic before may have older data than this snapshot: compare at next flush.
    this.dirty.add(topic);
    return { topic, seq: st.seq, ts: now, data };
  }

  /**
   * Frames for the dirty topics that `isWatched` accepts, each computed once. Dirty topics nobody
   * watches are dropped (their next snapshot is computed fresh).
   */
  flush(now: number, compute: (topic: string) => unknown, isWatched: (topic: string) => boolean): LiveFrame[] {
    const frames: LiveFrame[] = [];
    for (const topic of this.dirty) {
      if (!isWatched(topic)) continue;
      const data = compute(topic);
      const json = JSON.stringify(data);
      const st = this.topics.get(topic) ?? { seq: 0 };
      if (json === st.json) continue;
      st.seq += 1;
      st.json = json;
      this.topics.set(topic, st);
      frames.push({ topic, seq: st.seq, ts: now, data });
    }
    this.dirty.clear();
    if (frames.length) {
      let max = 0;
      for (const st of this.topics.values()) if (st.json !== undefined && st.json.length > max) max = st.json.length;
      this.largest = max;
    }
    return frames;
  }

  /** Length (as engine.io counts a string packet) of the largest topic data as of the last flush that sent frames. */
  largestFrameBytes(): number {
    return this.largest;
  }

  /** Forgets a topic nobody watches any more, but keeps its seq so clients never see it go back. */
  release(topic: string): void {
    const st = this.topics.get(topic);
    if (st) st.json = undefined;
  }
}
