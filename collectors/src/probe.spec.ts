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

  it('imports a lazily registered type only when asked, and only once', async () => {
    let imports = 0;
    let loaded: typeof echo | undefined;
    const registry = new ProbeRegistry().registerLazy({
      type: 'echo',
      description: 'returns nothing',
      peek: () => loaded as never,
      load: async () => {
        imports++;
        loaded ??= echo;
        return loaded as never;
      },
    });
    expect(registry.types()).toEqual(['echo']);
    expect(registry.has('echo')).toBe(true);
    expect(registry.get('echo')).toBeUndefined();
    await registry.load(['other', 'snmp']);
    expect(imports).toBe(0);
    await registry.load(['echo', 'echo']);
    expect(imports).toBe(1);
    expect(registry.get('echo')?.description).toBe('returns nothing');
    expect(() => registry.register(echo)).toThrow('probe type echo is already registered');
  });

  it('loads every built-in probe module, each matching its entry', async () => {
    const registry = createBuiltinRegistry();
    await registry.load();
    for (const type of registry.types()) expect(registry.get(type)?.type).toBe(type);
    expect(registry.types()).toEqual(['cloud_inventory', 'host', 'http', 'ping', 'platform', 'prometheus', 'simulate', 'snmp']);
  });
});
