import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNITS, validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { CloudInventoryProbe, cloudInventoryProbeDefinition, type CloudInventoryConfig } from './cloud-inventory.probe.js';
import { countRunning, readInventory } from './inventory.reader.js';
import { loadBuiltinProbes } from '../builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

const collector = { id: 'cloud-agent-01', district: '520115' };
const testdataPath = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));
const testdata = (name: string) => readFileSync(testdataPath(name), 'utf8');
const ctx = (now = Date.now(), signal = new AbortController().signal) => ({ now, signal, collector });
const invalid = (points: RawPoint[], now = Date.now()) => points.map((p) => validatePoint(p, now)).flatMap((c) => (c.ok ? [] : [c.error]));
const perUnit = (points: RawPoint[]) => Object.fromEntries(points.filter((p) => p.metric === 'cloud.systems_running').map((p) => [p.tags.district, p.value]));
const perSystem = (points: RawPoint[]) => points.filter((p) => p.metric === 'cloud.system_running').map((p) => `${p.tags.system}@${p.tags.district}=${p.value}`);

function make(options: Record<string, unknown>, logger = new RecordingLogger()): CloudInventoryProbe {
  const config: CloudInventoryConfig = cloudInventoryProbeDefinition.configSchema.parse(options);
  return cloudInventoryProbeDefinition.create(config, { collector, logger }) as CloudInventoryProbe;
}

describe('CloudInventoryProbe from a file', () => {
  it('counts running systems per unit (0 where none), maps a retired code, keeps the systems for the migration inventory', async () => {
    const logger = new RecordingLogger();
    const probe = make({ file: testdataPath('inventory.json') }, logger);
    expect(probe.lastInventory()).toBeUndefined();
    const now = Date.now();
    const points = await probe.collect(ctx(now));

    expect(points.filter((p) => p.metric === 'cloud.systems_running')).toHaveLength(UNITS.length);
    expect(points.every((p) => p.ts === now)).toBe(true);
    // One series per listed system of a known unit: 1 running, 0 listed in another state.
    expect(perSystem(points)).toEqual(['yy-oa@520103=1', 'yy-grid@520103=1', 'yy-archive@520103=0', 'nm-permits@520102=1', 'hx-edu@520111=1', 'hitech-park@gy-hitech=1', 'yy-oa@520102=0']);
    expect(points.find((p) => p.metric === 'cloud.system_running')?.tags).toEqual({ district: '520103', node: 'cloud-subplatform', platform: 'cloud', system: 'yy-oa', agency: '云岩区政府办' });
    const counts = perUnit(points);
    expect(counts).toMatchObject({ '520103': 2, '520102': 1, '520111': 1, 'gy-hitech': 1 });
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(5);
    expect(points.find((p) => p.tags.district === '520103')?.tags).toEqual({ district: '520103', node: 'cloud-subplatform', platform: 'cloud' });
    expect(invalid(points, now)).toEqual([]);

    const inventory = probe.lastInventory()!;
    expect(inventory.at).toBe(now);
    expect(inventory.systems.map((s) => `${s.system}@${s.district}:${s.running ? 'run' : s.state}`)).toEqual([
      'yy-oa@520103:run', 'yy-grid@520103:run', 'yy-archive@520103:stopped', 'nm-permits@520102:run',
      'hx-edu@520111:run', 'hitech-park@gy-hitech:run', 'yy-oa@520102:migrating',
    ]);
    expect(inventory.systems[0]).toEqual({ system: 'yy-oa', agency: '云岩区政府办', district: '520103', state: 'running', running: true });
    expect(inventory.unknownDistricts).toEqual([
      { district: '520199', systems: ['qz-water'] },
      { district: 'Guiyang', systems: ['legacy-gis'] },
    ]);
    expect(inventory.malformed).toEqual([
      { index: 8, reason: 'no district' },
      { index: 9, reason: 'not an object' },
      { index: 10, reason: 'duplicate of an earlier entry for yy-oa (云岩区政府办)' },
    ]);

    // Unknown districts and bad entries are logged, once while they stay the same.
    await probe.collect(ctx(now + 60_000));
    const warnings = logger.messages('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      'inventory entries not counted: district "520199" is no known unit (qz-water); district "Guiyang" is no known unit (legacy-gis); ' +
        'entry 8: no district; entry 9: not an object; entry 10: duplicate of an earlier entry for yy-oa (云岩区政府办)',
    );
  });

  it('reports only the configured units and the configured running states', async () => {
    const probe = make({ file: testdataPath('inventory.json'), units: ['520103', '520102', '520121'], running_states: ['running', 'migrating'] });
    const points = await probe.collect(ctx());
    expect(perUnit(points)).toEqual({ '520103': 2, '520102': 2, '520121': 0 });
    expect(perSystem(points)).toEqual(['yy-oa@520103=1', 'yy-grid@520103=1', 'yy-archive@520103=0', 'nm-permits@520102=1', 'yy-oa@520102=1']);
    expect(perSystem(await make({ file: testdataPath('inventory.json'), per_system: false }).collect(ctx()))).toEqual([]);
  });

  it('logs an unreadable or malformed file and sends nothing, keeping the last inventory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-inventory-'));
    try {
      const file = join(dir, 'inventory.json');
      writeFileSync(file, testdata('inventory.json'));
      const logger = new RecordingLogger();
      const probe = make({ file }, logger);
      await probe.collect(ctx(1_000));
      writeFileSync(file, '{"systems": [');
      expect(await probe.collect(ctx(2_000))).toEqual([]);
      writeFileSync(file, '{"systems": []}');
      expect(await probe.collect(ctx(3_000))).toEqual([]);
      rmSync(file);
      expect(await probe.collect(ctx(4_000))).toEqual([]);
      expect(probe.lastInventory()?.at).toBe(1_000);
      const warnings = logger.messages('warn').slice(1);
      expect(warnings[0]).toMatch(/^inventory is not JSON: /);
      expect(warnings[1]).toBe('the inventory is not a list (set list_path to where the list is)');
      expect(warnings[2]).toMatch(/^cannot read .*inventory\.json: ENOENT/);
      writeFileSync(file, '[]');
      expect(perUnit(await probe.collect(ctx(5_000)))['520103']).toBe(0);
      expect(logger.messages('info')).toContain('inventory readable again');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CloudInventoryProbe from a local HTTP endpoint', () => {
  const replies: string[] = [];
  let served = 0;
  const server: Server = createServer((_req, res) => {
    const body = replies[Math.min(served++, replies.length - 1)];
    if (body === 'fail') res.writeHead(503).end('busy');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('follows the inventory as it changes; a system that disappears stays in systemsSeen()', async () => {
    replies.splice(0, replies.length, testdata('endpoint-1.json'), testdata('endpoint-2.json'), 'fail');
    served = 0;
    const logger = new RecordingLogger();
    const probe = make({
      url: `${base}/api/cloud/systems`, list_path: 'data.systems', running_states: ['运行中'],
      keys: { system: 'name', agency: 'dept', district: 'area_code', state: 'status' },
    }, logger);

    const first = await probe.collect(ctx(10_000));
    expect(perUnit(first)).toMatchObject({ '520115': 1, '520122': 1, '520123': 0 });
    expect(logger.messages('warn')).toEqual([]);

    const second = await probe.collect(ctx(20_000));
    expect(perUnit(second)).toMatchObject({ '520115': 1, '520122': 0, '520123': 2 });
    expect(probe.lastInventory()?.systems.map((s) => s.system)).toEqual(['gsh-bigdata', 'xw-tour', 'xw-portal']);
    expect(probe.lastInventory()?.unknownDistricts).toEqual([{ district: '5201xx', systems: ['bonded-customs'] }]);
    expect(logger.messages('warn')).toEqual(['inventory entries not counted: district "5201xx" is no known unit (bonded-customs)']);

    const seen = Object.fromEntries(probe.systemsSeen().map((s) => [s.system, [s.firstSeen, s.lastSeen, s.state]]));
    expect(seen).toEqual({
      'gsh-bigdata': [10_000, 20_000, '运行中'],
      'xf-agri': [10_000, 10_000, '运行中'], // gone from the second reading
      'xw-tour': [10_000, 20_000, '运行中'], // was 已停止
      'xw-portal': [20_000, 20_000, '运行中'],
    });

    expect(await probe.collect(ctx(30_000))).toEqual([]);
    expect(logger.messages('warn')[1]).toBe('inventory endpoint answered 503');
    expect(probe.lastInventory()?.at).toBe(20_000);
    expect(invalid([...first, ...second], 30_000)).toEqual([]);
  });

  it('says where the list was expected when it is not there', async () => {
    replies.splice(0, replies.length, testdata('endpoint-1.json'));
    served = 0;
    const logger = new RecordingLogger();
    expect(await make({ url: `${base}/x`, list_path: 'data.items' }, logger).collect(ctx())).toEqual([]);
    expect(logger.messages('warn')).toEqual(['no list at data.items in the inventory']);
  });
});

describe('inventory reading (pure)', () => {
  it('counts only running systems in the units asked for', () => {
    const snapshot = readInventory(
      [
        { system: 'a', district: '520103', state: 'RUNNING ' },
        { system: 'b', district: '520103', state: 'stopped' },
        { system: 'c', district: '520181', state: 'running' },
      ],
      ['running'],
    );
    expect(countRunning(snapshot.systems, ['520103', '520112'])).toEqual(new Map([['520103', 1], ['520112', 0]]));
  });
  it('names every missing key of an entry', () => {
    expect(readInventory([{ agency: 'x' }, { system: '  ', district: '520103', state: 'running' }], ['running']).malformed).toEqual([
      { index: 0, reason: 'no system, district, state' },
      { index: 1, reason: 'no system' },
    ]);
  });
});

describe('cloud_inventory probe config', () => {
  const head = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: cloud-agent-01, district: "520115" }\n';

  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./cloud-inventory.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(head + sample, 'cloud-inventory.sample.yaml');
    expect(config.probes[0]).toMatchObject({
      type: 'cloud_inventory', name: 'cloud-systems', intervalMs: 300_000,
      options: {
        url: 'https://cmp.cloud.gy.gov.example/api/v1/systems', headers: { authorization: 'Bearer <read-only token>' },
        list_path: 'data.systems', keys: { system: 'name', agency: 'dept', district: 'area_code', state: 'status' },
        running_states: ['running', '运行中'], units: UNITS.map((u) => u.code), response_timeout: 60_000,
        tls_skip_verify: false, ca_file: '/etc/zhuyun/gov-ca.pem', node: 'cloud-subplatform',
      },
    });
    expect(config.probes[1]).toMatchObject({ type: 'cloud_inventory', options: { file: '/var/lib/zhuyun/cloud-inventory.json' } });
  });

  it('needs exactly one of url and file; headers only with url; known units', () => {
    const text = `${head}probes:
  - type: cloud_inventory
    interval: 5m
  - type: cloud_inventory
    interval: 5m
    url: https://cmp.example/systems
    file: /tmp/x.json
  - type: cloud_inventory
    interval: 5m
    file: /tmp/x.json
    headers: { authorization: x }
    units: ["520103", "520199"]
`;
    let message = '';
    try {
      parseConfig(text, 'c.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('c.yaml:4: probes[0]: give exactly one of url and file');
    expect(message).toContain('c.yaml:9: probes[1].file: give exactly one of url and file');
    expect(message).toContain('c.yaml:14: probes[2].units[1]: "520199" is not a known district or zone');
    const fixed = text.replace(', "520199"', '');
    expect(() => parseConfig(fixed, 'c.yaml')).toThrow('probes[2].headers: only applies to url');
  });

  it('has defaults: node cloud-subplatform, state running, all units', () => {
    expect(cloudInventoryProbeDefinition.configSchema.parse({ file: '/x.json' })).toEqual({
      file: '/x.json', running_states: ['running'], response_timeout: 30_000, tls_skip_verify: false, node: 'cloud-subplatform', per_system: true,
    });
    expect(cloudInventoryProbeDefinition.create(cloudInventoryProbeDefinition.configSchema.parse({ file: '/x.json' }), { collector, logger: silentLogger }).type).toBe('cloud_inventory');
  });
});
