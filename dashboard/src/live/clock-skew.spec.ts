import { describe, expect, it } from '@jest/globals';
import { clockSkewOf } from './clock-skew';

describe('clockSkewOf', () => {
  it('says nothing for noise or no estimate', () => {
    expect(clockSkewOf(null)).toBeNull();
    expect(clockSkewOf(-1_500)).toBeNull();
    expect(clockSkewOf(59_999)).toBeNull();
  });
  it('says behind or ahead, in whole units, late past two minutes', () => {
    expect(clockSkewOf(-5 * 60_000 - 12_000)).toEqual({ dir: 'behind', unit: 'minutes', n: 5, late: true });
    expect(clockSkewOf(90_000)).toEqual({ dir: 'ahead', unit: 'minutes', n: 1, late: false });
    expect(clockSkewOf(-3 * 3_600_000)).toEqual({ dir: 'behind', unit: 'hours', n: 3, late: true });
  });
});
