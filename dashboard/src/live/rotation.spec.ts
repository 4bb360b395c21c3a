import { describe, expect, it } from '@jest/globals';
import type { UnitSummary } from '@zhuyun/protocol';
import { ROTATE_DEFAULT_S, nextIndex, rotationUnits, wallParams } from './rotation';

function unit(code: string, nodes: number): UnitSummary {
  return { code, status: 'up', counts: { up: nodes, degraded: 0, down: 0, unknown: 0 }, latencyMs: null, lossPct: null };
}

describe('wall rotation', () => {
  it.each([
    ['', ROTATE_DEFAULT_S],
    ['?rotate=30', 30],
    ['?rotate=2', 5],
    ['?rotate=100000', 600],
    ['?rotate=abc', ROTATE_DEFAULT_S],
    ['?rotate=0', ROTATE_DEFAULT_S],
    ['?rotate=7.6', 8],
  ])('reads %s as %d seconds', (search, s) => {
    expect(wallParams(search).rotateS).toBe(s);
  });

  it('takes the listed units, known codes only, once each, in the order given', () => {
    expect(wallParams('?units=520113,nope,520103,520113').units).toEqual(['520113', '520103']);
    expect(wallParams('?units=nope').units).toBeNull();
    expect(wallParams('').units).toBeNull();
  });

  it('rotates through the units that have nodes, districts in protocol order', () => {
    const units = [unit('gy-hitech', 4), unit('520103', 4), unit('520102', 4), unit('520111', 0)];
    expect(rotationUnits(units, null)).toEqual(['520102', '520103', 'gy-hitech']);
    expect(rotationUnits(units, ['520111'])).toEqual(['520111']);
    expect(rotationUnits(null, null)).toEqual([]);
  });

  it('wraps around', () => {
    expect(nextIndex(0, 3)).toBe(1);
    expect(nextIndex(2, 3)).toBe(0);
    expect(nextIndex(5, 0)).toBe(0);
  });
});
