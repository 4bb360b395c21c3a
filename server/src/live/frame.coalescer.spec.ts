import { describe, expect, it } from '@jest/globals';
import { FrameCoalescer } from './frame.coalescer.js';

describe('FrameCoalescer', () => {
  const watched = () => true;

  it('sends one frame per topic per flush however often it was marked', () => {
    const c = new FrameCoalescer();
    let computed = 0;
    c.markDirty(['overview']);
    c.markDirty(['overview', 'overview']);
    c.markDirty(['overview']);
    const frames = c.flush(1000, () => ({ n: ++computed }), watched);
    expect(frames).toEqual([{ topic: 'overview', seq: 1, ts: 1000, data: { n: 1 } }]);
    expect(computed).toBe(1);
  });

  it('sends nothing when the data did not change, and seq grows by one per change', () => {
    const c = new FrameCoalescer();
    let value = 1;
    const compute = () => ({ value });
    c.markDirty(['t']);
    expect(c.flush(1, compute, watched).map((f) => f.seq)).toEqual([1]);
    c.markDirty(['t']);
    expect(c.flush(2, compute, watched)).toEqual([]);
    value = 2;
    c.markDirty(['t']);
    expect(c.flush(3, compute, watched).map((f) => f.seq)).toEqual([2]);
  });

  it('sends nothing for topics not marked', () => {
    const c = new FrameCoalescer();
    expect(c.flush(1, () => 1, watched)).toEqual([]);
  });

  it('skips topics nobody watches and forgets that they were dirty', () => {
    const c = new FrameCoalescer();
    c.markDirty(['a', 'b']);
    const frames = c.flush(1, (t) => t, (t) => t === 'a');
    expect(frames.map((f) => f.topic)).toEqual(['a']);
    expect(c.flush(2, (t) => t, watched)).toEqual([]);
  });

  it('gives a snapshot at the current seq, then the next change at seq + 1', () => {
    const c = new FrameCoalescer();
    c.markDirty(['t']);
    c.flush(1, () => 'one', watched);
    const snap = c.snapshot('t', 'two', 5);
    expect(snap).toEqual({ topic: 't', seq: 1, ts: 5, data: 'two' });
    // The snapshot's data differs from the last frame: the room gets it as seq 2.
    expect(c.flush(6, () => 'two', watched).map((f) => [f.seq, f.data])).toEqual([[2, 'two']]);
  });

  it('keeps seq across a release so a re-subscriber never sees it go back', () => {
    const c = new FrameCoalescer();
    c.markDirty(['t']);
    c.flush(1, () => 'x', watched);
    c.release('t');
    c.markDirty(['t']);
    expect(c.flush(2, () => 'x', watched).map((f) => f.seq)).toEqual([2]);
  });
});
