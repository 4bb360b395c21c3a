import { diffTopic, isDeltaTopic, type LiveDeltaFrame, type LiveFrame } from '@zhuyun/protocol';

interface TopicState {
  seq: number;
  /** The data sent at `seq` (what every client of the topic holds); undefined while nobody watches. */
  data?: unknown;
  /** JSON of `data`, for the topics whose frames are whole. */
  json?: string;
  /** Length of `data` as JSON, as of the last time it was measured. */
  bytes: number;
}

/** A delta topic's whole data is measured (for the slow-client limit) every this many frames. */
const MEASURE_EVERY = 16;

export interface CoalescerOptions {
  /** Send whole `data` in every frame, deltas never (ZHUYUN_LIVE_WHOLE_FRAMES=1: the frames before issue 14). */
  wholeFrames?: boolean;
}

/**
 * Coalesces live updates (STYLE rule 7): ingest marks topics dirty as often as it likes; `flush`,
 * called once a second, computes each dirty topic once and yields a frame only when its data
 * differs from the last one sent, with `seq` + 1. A frame of `overview` or `district:<code>`
 * carries the delta from the data of `seq - 1` (protocol/src/live-delta.ts); other topics' frames
 * carry whole data. Pure apart from the `compute` callback.
 */
export class FrameCoalescer {
  private readonly topics = new Map<string, TopicState>();
  private readonly dirty = new Set<string>();
  private largest = 0;

  constructor(private readonly options: CoalescerOptions = {}) {}

  markDirty(topics: Iterable<string>): void {
    for (const t of topics) this.dirty.add(t);
  }

  /**
   * The topic's data at its current seq as a snapshot: the data last sent to its watchers when
   * anyone watches it (so that the next delta applies to it), else computed now. The next change
   * gets seq + 1.
   */
  snapshot<T>(topic: string, compute: () => T, now: number): LiveFrame<T> {
    const st = this.topics.get(topic) ?? { seq: 0, bytes: 0 };
    this.topics.set(topic, st);
    if (st.data === undefined) {
      st.data = compute();
      st.json = JSON.stringify(st.data);
      st.bytes = st.json.length;
      if (isDeltaTopic(topic) && !this.options.wholeFrames) st.json = undefined;
      if (st.bytes > this.largest) this.largest = st.bytes;
      // Whoever held the topic before may have been sent other data: compare at the next flush.
      this.dirty.add(topic);
    }
    return { topic, seq: st.seq, ts: now, data: st.data as T };
  }

  /**
   * Frames for the dirty topics that `isWatched` accepts, each computed once. Dirty topics nobody
   * watches are dropped (their next snapshot is computed fresh).
   */
  flush(now: number, compute: (topic: string) => unknown, isWatched: (topic: string) => boolean): Array<LiveFrame | LiveDeltaFrame> {
    const frames: Array<LiveFrame | LiveDeltaFrame> = [];
    for (const topic of this.dirty) {
      if (!isWatched(topic)) {
        this.release(topic); // its watchers left (a disconnect leaves no unsubscribe)
        continue;
      }
      const data = compute(topic);
      const st = this.topics.get(topic) ?? { seq: 0, bytes: 0 };
      this.topics.set(topic, st);
      if (isDeltaTopic(topic) && !this.options.wholeFrames && st.data !== undefined && data !== null && st.data !== null) {
        const delta = diffTopic(topic, st.data, data);
        if (!delta) continue;
        st.seq += 1;
        st.data = data;
        if (st.seq % MEASURE_EVERY === 0) st.bytes = JSON.stringify(data).length;
        frames.push({ topic, seq: st.seq, ts: now, delta });
        continue;
      }
      const json = JSON.stringify(data);
      if (json === st.json) continue;
      st.seq += 1;
      st.json = json;
      st.data = data;
      st.bytes = json.length;
      frames.push({ topic, seq: st.seq, ts: now, data });
    }
    this.dirty.clear();
    if (frames.length) {
      let max = 0;
      for (const st of this.topics.values()) if (st.data !== undefined && st.bytes > max) max = st.bytes;
      this.largest = max;
    }
    return frames;
  }

  /** Length (as engine.io counts a string packet) of the largest topic data (a snapshot) as last measured. */
  largestFrameBytes(): number {
    return this.largest;
  }

  /** Forgets a topic nobody watches any more, but keeps its seq so clients never see it go back. */
  release(topic: string): void {
    const st = this.topics.get(topic);
    if (st) {
      st.data = undefined;
      st.json = undefined;
    }
  }
}
