import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles per attempt within the upper half of each step', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(2, policy, () => 0)).toBe(1_000);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(6_000);
  });

  it('stops growing at maxMs, even after very many attempts', () => {
    expect(backoffDelay(7, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(10_000, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(10_000, policy, () => 0)).toBe(30_000);
  });
});
