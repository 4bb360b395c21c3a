import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['72h', 259_200_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    [' 2h ', 7_200_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'ten', '10', '10 s', 's', '10x', '5m-', '-5s', '1e3s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [1_500, '1.5s'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [259_200_000, '3d'],
  ])('writes %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
