import { describe, expect, it } from '@jest/globals';
import type { OverviewData } from '@zhuyun/protocol';
import { applyFrame, applySnapshot, frameData, initialSeqState, type TopicSeqState } from './live-state';

/** Runs a sequence of messages and records each verdict. */
function run(messages: Array<['snapshot' | 'frame', number]>): { verdicts: string[]; state: TopicSeqState } {
  let state = initialSeqState();
  const verdicts: string[] = [];
  for (const [kind, seq] of messages) {
    const r = kind === 'snapshot' ? applySnapshot(state, { seq }) : applyFrame(state, { seq });
    state = r.state;
    verdicts.push(r.verdict);
  }
  return { verdicts, state };
}

describe('live-state', () => {
  it('applies a snapshot and takes its seq', () => {
    expect(run([['snapshot', 7]])).toEqual({ verdicts: ['apply'], state: { seq: 7 } });
  });

  it('applies frames that follow in order', () => {
    const r = run([['snapshot', 0], ['frame', 1], ['frame', 2], ['frame', 3]]);
    expect(r.verdicts).toEqual(['apply', 'apply', 'apply', 'apply']);
    expect(r.state.seq).toBe(3);
  });

  it('asks for a resync on a gap and keeps the last good seq until a snapshot comes', () => {
    const r = run([['snapshot', 4], ['frame', 5], ['frame', 7], ['frame', 8]]);
    expect(r.verdicts).toEqual(['apply', 'apply', 'resync', 'resync']);
    expect(r.state.seq).toBe(5);
    const after = run([['snapshot', 4], ['frame', 5], ['frame', 7], ['snapshot', 8], ['frame', 9]]);
    expect(after.verdicts).toEqual(['apply', 'apply', 'resync', 'apply', 'apply']);
    expect(after.state.seq).toBe(9);
  });

  it('asks for a resync on a frame before any snapshot', () => {
    expect(run([['frame', 1]])).toEqual({ verdicts: ['resync'], state: { seq: undefined } });
  });

  it('ignores duplicate and older frames', () => {
    const r = run([['snapshot', 2], ['frame', 3], ['frame', 3], ['frame', 1], ['frame', 2], ['frame', 4]]);
    expect(r.verdicts).toEqual(['apply', 'apply', 'ignore', 'ignore', 'ignore', 'apply']);
    expect(r.state.seq).toBe(4);
  });

  it('takes a snapshot with a lower seq (the server restarted)', () => {
    const r = run([['snapshot', 40], ['frame', 41], ['snapshot', 0], ['frame', 1]]);
    expect(r.verdicts).toEqual(['apply', 'apply', 'apply', 'apply']);
    expect(r.state.seq).toBe(1);
  });
});

describe('frameData: the whole data after a frame', () => {
  const counts = { up: 1, degraded: 0, down: 0, unknown: 0 };
  const held: OverviewData = { units: [], counts, latencyMs: 1, lossPct: 0, platforms: [], changes: [] };
  const cases: Array<[string, Parameters<typeof frameData>[0], unknown]> = [
    ['a whole frame replaces', { topic: 'node:a', seq: 2, ts: 0, data: { id: 'a' } }, { id: 'a' }],
    ['a whole overview frame (ZHUYUN_LIVE_WHOLE_FRAMES=1) replaces too', { topic: 'overview', seq: 2, ts: 0, data: { ...held, latencyMs: 9 } }, { ...held, latencyMs: 9 }],
    ['a delta applies to the data held', { topic: 'overview', seq: 2, ts: 0, delta: { latencyMs: null } }, { ...held, latencyMs: null }],
    ['an empty delta leaves it as it was', { topic: 'overview', seq: 2, ts: 0, delta: {} }, held],
  ];
  it.each(cases)('%s', (_name, frame, want) => {
    expect(frameData(frame, held)).toEqual(want);
  });
});
