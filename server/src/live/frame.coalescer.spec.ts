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

  it('gives a snapshot of the data sent at the current seq, then the next change at seq + 1', () => {
    const c = new FrameCoalescer();
    c.markDirty(['t']);
    c.flush(1, () => 'one', watched);
    // Someone watches t: the snapshot is the data of seq 1 (what the room holds), not a newer one.
    const snap = c.snapshot('t', () => 'two', 5);
    expect(snap).toEqual({ topic: 't', seq: 1, ts: 5, data: 'one' });
    c.markDirty(['t']);
    expect(c.flush(6, () => 'two', watched).map((f) => [f.seq, (f as { data?: unknown }).data])).toEqual([[2, 'two']]);
  });

  it('computes the snapshot of a topic nobody holds, and compares it at the next flush', () => {
    const c = new FrameCoalescer();
    expect(c.snapshot('t', () => 'one', 5)).toEqual({ topic: 't', seq: 0, ts: 5, data: 'one' });
    expect(c.flush(6, () => 'one', watched)).toEqual([]);
    expect(c.flush(7, () => 'two', watched)).toEqual([]); // not marked
  });

  const unit = { code: '520181', status: 'up', counts: { up: 1, degraded: 0, down: 0, unknown: 0 }, latencyMs: 1, lossPct: 0 };
  const nodeAt = (lastSeen: number) => ({ id: 'v1', district: '520181', unit: '520181', status: 'up', reasons: [], lastSeen, metrics: { 'net.latency_ms': 3 } });
  const district = (lastSeen: number) => ({ unit, nodes: [nodeAt(lastSeen)], total: 1, truncated: false });

  it('sends a district frame as the delta from the data of seq - 1', () => {
    const c = new FrameCoalescer();
    c.snapshot('district:520181', () => district(1), 0);
    c.markDirty(['district:520181']);
    expect(c.flush(1, () => district(2), watched)).toEqual([{ topic: 'district:520181', seq: 1, ts: 1, delta: { nodes: [{ id: 'v1', set: { lastSeen: 2 } }] } }]);
    c.markDirty(['district:520181']);
    expect(c.flush(2, () => district(2), watched)).toEqual([]);
  });

  it('sends whole district data with wholeFrames (ZHUYUN_LIVE_WHOLE_FRAMES=1)', () => {
    const c = new FrameCoalescer({ wholeFrames: true });
    c.snapshot('district:520181', () => district(1), 0);
    c.markDirty(['district:520181']);
    expect(c.flush(1, () => district(2), watched)).toEqual([{ topic: 'district:520181', seq: 1, ts: 1, data: district(2) }]);
  });

  it('forgets the data of a dirty topic nobody watches: its next snapshot is computed', () => {
    const c = new FrameCoalescer();
    c.snapshot('t', () => 'one', 0);
    c.markDirty(['t']);
    c.flush(1, () => 'two', () => false);
    expect(c.snapshot('t', () => 'three', 2).data).toBe('three');
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
