import { createBuiltinRegistry, loadBuiltinProbes } from './probes/builtin.js';
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, configFromObject, loadConfigFile, parseConfig } from './config.js';
import { ProbeRegistry, defineProbe } from './probe.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

/** The messages of the ConfigError `fn` throws; fails the test when it does not throw one. */
function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

const GOOD = `server:
  url: http://127.0.0.1:8080/
  token: "tok-123"
collector:
  id: yunyan-edge-01
  district: "520103"
probes:
  - type: simulate
    interval: 10s
`;

describe('parseConfig', () => {
  it('reads a good config and applies the defaults', () => {
    const config = parseConfig(GOOD, 'agent.yaml');
    expect(config).toEqual({
      server: { url: 'http://127.0.0.1:8080', token: 'tok-123', timeoutMs: 10_000 },
      collector: { id: 'yunyan-edge-01', district: '520103', flushIntervalMs: 1_000, batchSize: 5_000, heartbeatMs: 10_000 },
      spool: { dir: undefined, maxAgeMs: 72 * 3_600_000, maxPoints: 200_000, maxBytes: 512 * 1024 * 1024 },
      probes: [
        {
          type: 'simulate', name: 'simulate#0', intervalMs: 10_000, timeoutMs: 10_000, jitterMs: 0,
          options: { access_nodes: 3, platforms: false, fault_rate: 2 },
        },
      ],
    });
  });

  it('reports every problem at once, each with file, line and key path', () => {
    const text = `server:
  url: ftp://example
  token: ""
collector:
  id: yunyan-edge-01
  district: "520199"
probes:
  - type: simulate
    interval: 10s
  - type: simulate
    interval: ten
    acess_nodes: 3
  - type: pingg
    interval: 5s
`;
    expect(errorsOf(() => parseConfig(text, 'agent.yaml'))).toEqual([
      'agent.yaml:2: server.url: "ftp://example" must start with http:// or https://',
      'agent.yaml:3: server.token: must not be empty',
      'agent.yaml:6: collector.district: "520199" is not a known district or zone (a code such as 520103, or a zone id such as gy-hitech)',
      'agent.yaml:11: probes[1].interval: "ten" is not a duration like 10s',
      'agent.yaml:12: probes[1].acess_nodes: unknown key for probe type simulate',
      `agent.yaml:13: probes[2].type: unknown probe type "pingg" (known: ${createBuiltinRegistry().types().join(', ')})`,
    ]);
  });

  it('points a missing key at its parent, and a missing section at the top', () => {
    const text = `server:
  url: http://127.0.0.1:8080
collector:
  district: gy-hitech
probes:
  - interval: 10s
`;
    expect(errorsOf(() => parseConfig(text, 'edge.yaml'))).toEqual([
      'edge.yaml:1: server.token: is required',
      'edge.yaml:3: collector.id: is required',
      'edge.yaml:6: probes[0].type: is required (the probe type)',
    ]);
    expect(errorsOf(() => parseConfig('probes: []\n', 'x.yaml'))).toEqual([
      'x.yaml:1: server: is required',
      'x.yaml:1: collector: is required',
    ]);
  });

  it('locates keys in flow style too (the DESIGN.md sample, whose ping probe is valid)', () => {
    const text = `server: { url: http://127.0.0.1:8080, token: "t" }
collector: { id: yunyan-edge-01, district: "520114" }
spool: { dir: /var/lib/zhuyun-collector, max_age: 72 }
probes:
  - { type: ping, interval: 10s, targets: [10.1.0.1, city-core.gov.example] }
  - { type: simulate, interval: 1s, timeout: 2s, jitter: 5s }
`;
    expect(errorsOf(() => parseConfig(text, 'agent.yaml'))).toEqual([
      'agent.yaml:2: collector.district: 520114 is a retired code: use 520111',
      'agent.yaml:3: spool.max_age: 72 is not a duration like 10s (add a unit: 72s or 72ms)',
      'agent.yaml:6: probes[1].timeout: 2s is longer than the interval 1s',
    ]);
  });

  it('checks types, ranges and unknown keys at every level', () => {
    const text = `server:
  url: http://127.0.0.1:8080/api/v1/ingest
  token: 12
  retries: 3
collector:
  id: "bad id!"
  district: 520103
  batch_size: 20000
probes:
  - type: simulate
    interval: 50ms
    access_nodes: -1
    platforms: "yes"
  - just a string
`;
    expect(errorsOf(() => parseConfig(text, 'a.yaml'))).toEqual([
      'a.yaml:2: server.url: give the server base URL, without /api/v1/ingest',
      'a.yaml:3: server.token: must be a string',
      'a.yaml:4: server.retries: unknown key',
      'a.yaml:6: collector.id: collector must be an id of letters, digits and _ . : -',
      'a.yaml:8: collector.batch_size: must be at most 10000 (the server\'s limit per batch)',
      'a.yaml:11: probes[0].interval: 50ms is too short: at least 100ms',
      'a.yaml:12: probes[0].access_nodes: must be 0 or more',
      'a.yaml:13: probes[0].platforms: must be true or false',
      'a.yaml:14: probes[1]: must be a map with at least type and interval',
    ]);
  });

  it('accepts an unquoted district code, zones and explicit probe names; refuses duplicate names', () => {
    const ok = parseConfig(GOOD.replace('"520103"', '520103'), 'a.yaml');
    expect(ok.collector.district).toBe('520103');
    expect(parseConfig(GOOD.replace('"520103"', 'gy-shuanglong'), 'a.yaml').collector.district).toBe('gy-shuanglong');
    const twice = `${GOOD}    name: city\n  - type: simulate\n    interval: 5s\n    name: city\n`;
    expect(errorsOf(() => parseConfig(twice, 'a.yaml'))).toEqual(['a.yaml:13: probes[1].name: "city" is already used by probes[0]']);
    expect(errorsOf(() => parseConfig(`${GOOD}    name: "my city"\n`, 'a.yaml'))).toEqual([
      'a.yaml:10: probes[0].name: must be letters, digits and _ . : # - (at most 64)',
    ]);
  });

  it('reports YAML syntax errors with their line and checks nothing else', () => {
    const text = 'server:\n  url: http://x\n  token: [unclosed\ncollector: {}\n';
    const errors = errorsOf(() => parseConfig(text, 'bad.yaml'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^bad\.yaml:\d+: YAML: /);
    expect(errors.join('\n')).not.toMatch(/collector/);
  });

  // Found by test/fuzz: these threw a ReferenceError from the YAML library, not a ConfigError.
  it.each([
    ['an alias to no anchor', 'server:\n  url: *nowhere\n', /^a\.yaml: YAML: Unresolved alias/],
    ['a billion laughs', 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /^a\.yaml: YAML: Excessive alias count/],
  ])('refuses %s with a ConfigError', (_what, text, message) => {
    expect(errorsOf(() => parseConfig(text, 'a.yaml'))).toEqual([expect.stringMatching(message)]);
  });

  it('refuses an empty file', () => {
    expect(errorsOf(() => parseConfig('', 'empty.yaml'))).toEqual([
      'empty.yaml:1: the config is empty: expected keys server, collector and probes',
    ]);
  });

  it('validates probe keys with the probe type\'s own schema, without creating the probe', () => {
    let created = 0;
    const registry = new ProbeRegistry().register(
      defineProbe({
        type: 'ping',
        description: 'test',
        configSchema: z.strictObject({ targets: z.array(z.string()).min(1, 'needs at least one target') }),
        create() {
          created++;
          return { type: 'ping', collect: async () => [] };
        },
      }),
    );
    const text = `${GOOD.replace('type: simulate', 'type: ping')}    targets: []\n`;
    expect(errorsOf(() => parseConfig(text, 'p.yaml', { registry }))).toEqual(['p.yaml:10: probes[0].targets: needs at least one target']);
    const config = parseConfig(`${GOOD.replace('type: simulate', 'type: ping')}    targets: [10.1.0.1]\n`, 'p.yaml', { registry });
    expect(config.probes[0].options).toEqual({ targets: ['10.1.0.1'] });
    expect(created).toBe(0);
  });
});

describe('loadConfigFile', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhuyun-config-'));
    try {
      const file = join(dir, 'agent.yaml');
      await writeFile(file, GOOD.replace('interval: 10s', 'interval: 10'));
      await expect(loadConfigFile(file)).rejects.toThrow(`${file}:9: probes[0].interval: 10 is not a duration like 10s (add a unit: 10s or 10ms)`);
      await expect(loadConfigFile(join(dir, 'missing.yaml'))).rejects.toThrow(`${join(dir, 'missing.yaml')}: no such file`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('imports the modules of the probe types the file names, before validating', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhuyun-config-'));
    try {
      const file = join(dir, 'agent.yaml');
      await writeFile(file, 'server: { url: "http://127.0.0.1:1", token: t }\ncollector: { id: a, district: "520103" }\nprobes:\n  - { type: echo, interval: 10s }\n');
      let imports = 0;
      let loaded: ReturnType<typeof defineProbe> | undefined;
      const echo = defineProbe({ type: 'echo', description: 'e', configSchema: z.strictObject({}), create: () => ({ type: 'echo', collect: async () => [] }) });
      const lazy = () => new ProbeRegistry().registerLazy({ type: 'echo', description: 'e', peek: () => loaded, load: async () => { imports++; return (loaded = echo); } });
      expect(errorsOf(() => parseConfig('server: { url: "http://127.0.0.1:1", token: t }\ncollector: { id: a, district: "520103" }\nprobes:\n  - { type: echo, interval: 10s }\n', 'a.yaml', { registry: lazy() })))
        .toEqual(['a.yaml:4: probes[0].type: probe type "echo" is not loaded yet: use loadConfigFile, or await registry.load() (loadBuiltinProbes()) before validating']);
      const config = await loadConfigFile(file, { registry: lazy() });
      expect(config.probes.map((p) => p.type)).toEqual(['echo']);
      expect(imports).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts the shipped sample configuration', async () => {
    const sample = fileURLToPath(new URL('../examples/agent.sample.yaml', import.meta.url));
    const config = await loadConfigFile(sample);
    expect(config.collector).toMatchObject({ id: 'yunyan-edge-01', district: '520103' });
    expect(config.probes.map((p) => p.type)).toEqual(['simulate']);
  });
});

describe('configFromObject', () => {
  it('validates a config built in code, with the same rules and no line numbers', () => {
    const config = configFromObject({ server: { url: 'http://127.0.0.1:1', token: 't' }, collector: { id: 'sim-gy-hitech', district: 'gy-hitech' } });
    expect(config.probes).toEqual([]);
    expect(config.collector.flushIntervalMs).toBe(1_000);
    expect(errorsOf(() => configFromObject({ server: { url: 'http://x', token: 't' }, collector: { id: 'a', district: 'nowhere' } }, 'simulation'))).toEqual([
      'simulation: collector.district: "nowhere" is not a known district or zone (a code such as 520103, or a zone id such as gy-hitech)',
    ]);
  });
});
