import { describe, expect, it } from '@jest/globals';
import { ThrottledWindows } from './throttled-windows.js';

describe('ThrottledWindows', () => {
  it('counts the refusals of a key in one window that closes when the block lifts', () => {
    const w = new ThrottledWindows();
    const e = { name: 'wang.li', address: '10.0.0.9', byAddress: false };
    expect(w.hit(e, 1_000, 61_000)).toBe(true);
    for (let t = 1_001; t < 1_100; t++) expect(w.hit(e, t, 61_000)).toBe(false);
    expect(w.hit({ ...e, address: '10.0.0.8' }, 1_100, 61_000)).toBe(true); // another address: its own window
    expect(w.due(60_999)).toEqual([]);
    const closed = w.due(61_000);
    expect(closed.map((c) => [c.address, c.attempts])).toEqual([
      ['10.0.0.9', 100],
      ['10.0.0.8', 1],
    ]);
    expect(w.due(61_000)).toEqual([]);
  });

  it('keys an address block by the address alone, whatever names are tried, and keeps a closed window not yet collected', () => {
    const w = new ThrottledWindows();
    for (let i = 0; i < 50; i++) w.hit({ name: `user${i}`, address: '10.0.0.7', byAddress: true }, i, 100);
    expect(w.hit({ name: 'again', address: '10.0.0.7', byAddress: true }, 200, 300)).toBe(true); // the first closed, uncollected
    const all = w.drain();
    expect(all.map((c) => c.attempts)).toEqual([50, 1]);
    expect(all[0].names.size).toBe(20);
  });

  it('counts beyond maxKeys open windows in one overflow window', () => {
    const w = new ThrottledWindows(2);
    for (let i = 0; i < 10; i++) w.hit({ name: 'x', address: `10.0.1.${i}`, byAddress: true }, 0, 100);
    const all = w.drain();
    expect(all.length).toBe(3);
    expect(all.find((c) => c.address === '*')?.attempts).toBe(8);
  });
});
