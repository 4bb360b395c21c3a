import { applyTopicDelta, type LiveDeltaFrame, type LiveFrame } from '@zhuyun/protocol';

/**
 * The sequence bookkeeping of one live topic (DESIGN "Live"): the server answers a subscription with
 * a `snapshot` at the topic's current `seq`, then sends `frame`s with `seq` + 1 each. Pure: the
 * composable (useLiveTopic) holds one of these per topic and acts on the verdict.
 */
export interface TopicSeqState {
  /** Seq of the last snapshot or frame applied; undefined before the first snapshot. */
  seq: number | undefined;
}

export type Verdict =
  /** Take the message's data. */
  | 'apply'
  /** An old or repeated frame: drop it, the data held is newer. */
  | 'ignore'
  /** Frames were missed, or a frame came before any snapshot: ask for a new snapshot. */
  | 'resync';

export function initialSeqState(): TopicSeqState {
  return { seq: undefined };
}

/**
 * A snapshot always applies and sets the seq: it is the server's whole current value, even when its
 * seq is lower than the one held (the server restarted and counts from 0 again).
 */
export function applySnapshot(_state: TopicSeqState, snapshot: Pick<LiveFrame, 'seq'>): { state: TopicSeqState; verdict: 'apply' } {
  return { state: { seq: snapshot.seq }, verdict: 'apply' };
}

/**
 * A frame applies when it is the next one (seq = last + 1). A frame further ahead means frames were
 * lost: resync (the state is left as it is until the new snapshot). A frame at or below the last
 * seq is a duplicate or arrived late: ignore. A frame before any snapshot cannot be placed: resync.
 */
export function applyFrame(state: TopicSeqState, frame: Pick<LiveFrame, 'seq'>): { state: TopicSeqState; verdict: Verdict } {
  if (state.seq === undefined) return { state, verdict: 'resync' };
  if (frame.seq === state.seq + 1) return { state: { seq: frame.seq }, verdict: 'apply' };
  if (frame.seq > state.seq + 1) return { state, verdict: 'resync' };
  return { state, verdict: 'ignore' };
}

/**
 * The topic's whole data after an applied frame (verdict `apply`): a whole frame's `data`, or the
 * data of seq - 1 (`held`) with the frame's delta applied (protocol/src/live-delta.ts). Pure.
 */
export function frameData(frame: LiveFrame | LiveDeltaFrame, held: unknown): unknown {
  return 'delta' in frame ? applyTopicDelta(frame.topic, held, frame.delta) : frame.data;
}
