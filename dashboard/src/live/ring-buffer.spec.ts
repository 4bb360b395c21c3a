import { describe, expect, it } from '@jest/globals';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps items in order below capacity', () => {
    const b = new RingBuffer<number>(3);
    b.push(1);
    b.push(2);
    expect(b.toArray()).toEqual([1, 2]);
    expect(b.length).toBe(2);
    expect(b.last()).toBe(2);
  });

  it('never holds more than its capacity and drops the oldest first', () => {
    const b = new RingBuffer<number>(3);
    for (let i = 1; i <= 10; i++) b.push(i);
    expect(b.length).toBe(3);
    expect(b.toArray()).toEqual([8, 9, 10]);
    expect(b.last()).toBe(10);
  });

  it('drops old items from the front while a predicate holds, across the wrap', () => {
    const b = new RingBuffer<number>(4);
    for (let i = 1; i <= 6; i++) b.push(i); // holds 3 4 5 6, wrapped
    b.dropWhile((x) => x < 5);
    expect(b.toArray()).toEqual([5, 6]);
    b.push(7);
    b.push(8);
    b.push(9);
    expect(b.toArray()).toEqual([6, 7, 8, 9]);
    b.dropWhile(() => true);
    expect(b.length).toBe(0);
    expect(b.last()).toBeUndefined();
  });

  it('clears', () => {
    const b = new RingBuffer<string>(2);
    b.push('a');
    b.clear();
    expect(b.toArray()).toEqual([]);
    b.push('b');
    expect(b.toArray()).toEqual(['b']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
