import { describe, expect, it } from '@jest/globals';
import { requestIdOf } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it.each([
    ['a plain token', 'edge-7f3a.42', 'edge-7f3a.42'],
    ["nginx's $request_id", '0f3a8c1e9b2d4c6f8a0b1c2d3e4f5a6b', '0f3a8c1e9b2d4c6f8a0b1c2d3e4f5a6b'],
    ['a trace-like id', 'req:1@gw_2', 'req:1@gw_2'],
    ['the first of repeated headers', ['first-1', 'second-2'], 'first-1'],
  ])('keeps %s', (_what, header, expected) => {
    expect(requestIdOf(header)).toBe(expected);
  });

  it.each([
    ['none', undefined],
    ['an empty one', ''],
    ['spaces', 'a b'],
    ['markup', '<script>'],
    ['a newline (log injection)', 'x\n{"level":50}'],
    ['more than 128 characters', 'x'.repeat(129)],
  ])('replaces %s with a new UUID', (_what, header) => {
    expect(requestIdOf(header)).toMatch(UUID);
  });

  it('gives each request its own id', () => {
    expect(requestIdOf(undefined)).not.toBe(requestIdOf(undefined));
  });
});
