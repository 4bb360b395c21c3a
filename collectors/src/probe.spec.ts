import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ProbeRegistry, defineProbe } from './probe.js';
import { createBuiltinRegistry } from './probes/builtin.js';

const echo = defineProbe({
  type: 'echo',
  description: 'returns nothing',
  configSchema: z.strictObject({ word: z.string().default('hi') }),
  create: () => ({ type: 'echo', collect: async () => [] }),
});

describe('ProbeRegistry', () => {
  it('registers probe types and lists them sorted', () => {
    const registry = new ProbeRegistry().register(echo).register({ ...echo, type: 'abc' });
    expect(registry.types()).toEqual(['abc', 'echo']);
    expect(registry.get('echo')?.description).toBe('returns nothing');
    expect(registry.get('nope')).toBeUndefined();
  });

  it('refuses a type registered twice or a type name that is not lower-case', () => {
    const registry = new ProbeRegistry().register(echo);
    expect(() => registry.register(echo)).toThrow('probe type echo is already registered');
    expect(() => registry.register({ ...echo, type: 'Ping' })).toThrow(/lower-case/);
  });

  it('ships the simulate probe', () => {
    expect(createBuiltinRegistry().types()).toContain('simulate');
  });
});
