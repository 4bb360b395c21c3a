import { describe, expect, it } from '@jest/globals';
import { SlidingWindowLimiter, TokenBuckets } from './rate-limiter.js';

describe('SlidingWindowLimiter', () => {
  it('blocks the key after `limit` events in the window, until the oldest leaves it', () => {
    const l = new SlidingWindowLimiter(3, 60_000);
    const t = 1_000_000;
    for (const dt of [0, 10_000, 20_000]) {
      expect(l.blockedFor('a', t + dt)).toBe(0);
      l.record('a', t + dt);
    }
    expect(l.blockedFor('a', t + 30_000)).toBe(30_000);
    expect(l.blockedFor('b', t + 30_000)).toBe(0); // other keys are not affected
    expect(l.blockedFor('a', t + 60_000)).toBe(0); // the first event has left the window
    l.record('a', t + 60_000);
    expect(l.blockedFor('a', t + 60_001)).toBe(9_999);
  });

  it('forgets a key on reset', () => {
    const l = new SlidingWindowLimiter(1, 60_000);
    l.record('a', 0);
    expect(l.blockedFor('a', 1)).toBeGreaterThan(0);
    l.reset('a');
    expect(l.blockedFor('a', 1)).toBe(0);
  });

  it('counts an attempt from its start: pending slots block, a refund gives one back, a success keeps those in flight', () => {
    const l = new SlidingWindowLimiter(2, 60_000);
    const a = l.record('k', 0, true);
    const b = l.record('k', 1, true);
    expect(l.blockedFor('k', 2)).toBeGreaterThan(0); // two in flight: a third waits, whatever they turn out to be
    l.refund('k', a);
    expect(l.blockedFor('k', 2)).toBe(0);
    l.refund('k', a); // twice is once
    const c = l.record('k', 3);
    c.pending = false;
    l.clearSettled('k'); // c settled: forgotten; b in flight: kept
    expect(l.blockedFor('k', 4)).toBe(0);
    l.record('k', 5);
    expect(l.blockedFor('k', 6)).toBeGreaterThan(0);
    b.pending = false;
  });
});

describe('TokenBuckets', () => {
  it('grants a burst, then the sustained rate', () => {
    const b = new TokenBuckets(10, 20);
    for (let i = 0; i < 20; i++) expect(b.take('c', 0)).toBe(0);
    expect(b.take('c', 0)).toBe(100);
    expect(b.take('c', 100)).toBe(0); // one token back after 100 ms at 10/s
    expect(b.take('c', 100)).toBeGreaterThan(0);
    expect(b.take('other', 100)).toBe(0);
  });

  it('takes several tokens at once and says how long to wait for them', () => {
    const b = new TokenBuckets(100, 100);
    expect(b.take('c', 0, 60)).toBe(0);
    expect(b.take('c', 0, 60)).toBe(200);
  });
});
