import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { ProbeRegistry } from '../../probe.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { OIDS, readIfMib, walkColumns } from './if-mib.reader.js';
import { SnmpConfigSchema, SnmpProbe, resolveTargets, snmpProbeDefinition, type SnmpProbeOptions } from './snmp.probe.js';
import { counter64FromBuffer } from './snmp.session.js';
import { FakeSnmpAgent, readWalk } from './testdata/fake-agent.js';

const T0 = Date.UTC(2025, 0, 6, 2, 0, 0);
const collector = { id: 'yy-edge-01', district: '520103' };
const routerT0 = readWalk(new URL('./testdata/router-t0.walk', import.meta.url));
const routerT1 = readWalk(new URL('./testdata/router-t1.walk', import.meta.url));
const debian = readWalk(new URL('./testdata/debian-snmpd.walk', import.meta.url));

const registry = new ProbeRegistry().register(snmpProbeDefinition);
const HEAD = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: yy-edge-01, district: "520103" }\n';

function options(probe: Record<string, unknown>): SnmpProbeOptions {
  const config = SnmpConfigSchema.parse(probe);
  return { targets: resolveTargets(config), requestTimeoutMs: config.request_timeout, retries: config.retries, maxRepetitions: config.max_repetitions };
}

function router(extra: Record<string, unknown> = {}, target: Record<string, unknown> = {}) {
  const agent = new FakeSnmpAgent(routerT0);
  const logger = new RecordingLogger();
  const probe = new SnmpProbe(options({ targets: [{ host: '10.20.0.1', name: 'yy-core-1', ...target }], ...extra }), logger, agent.factory);
  const collect = (now: number) => probe.collect({ now, signal: new AbortController().signal, collector });
  return { agent, probe, logger, collect };
}

/** `metric interface[direction]` → value, for readable expectations. */
function table(points: RawPoint[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of points) {
    const key = [p.metric, p.tags.interface, p.tags.direction].filter(Boolean).join(' ');
    expect(out[key]).toBeUndefined();
    out[key] = p.value;
  }
  return out;
}

function invalid(points: RawPoint[], now: number) {
  return points
    .map((p) => ({ p, check: validatePoint(p.tags.district ? p : { ...p, tags: { ...p.tags, district: collector.district } }, now) }))
    .filter((x) => !x.check.ok);
}

describe('snmp probe: config', () => {
  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./snmp.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(HEAD + sample, 'snmp.sample.yaml', { registry });
    expect(config.probes[0]).toMatchObject({ type: 'snmp', name: 'district-routers', intervalMs: 30_000, timeoutMs: 20_000, jitterMs: 5_000 });
    const opts = config.probes[0].options as ReturnType<typeof SnmpConfigSchema.parse>;
    expect(opts).toMatchObject({ version: '2c', community: 'zhuyun-ro', port: 161, request_timeout: 2_000, retries: 1, max_repetitions: 20 });
    const targets = resolveTargets(opts);
    expect(targets.map((t) => [t.host, t.name, t.node, t.district, t.version, t.community, t.upFrom])).toEqual([
      ['10.20.0.1', 'yy-core-1', 'yy-core-1', '520103', '2c', 'yy-core-ro', 'GE0/0/0'],
      ['10.20.0.2', 'yy-acc-1', 'yy-acc-1', undefined, '2c', 'zhuyun-ro', 'agent'],
      ['10.20.0.3', '10.20.0.3', '10.20.0.3', undefined, '3', 'zhuyun-ro', undefined],
      ['10.20.0.4', '10.20.0.4', '10.20.0.4', undefined, '2c', 'zhuyun-ro', undefined],
    ]);
    expect(targets[0].tags).toEqual({ role: 'core' });
    expect(targets[1].tags).toEqual({ role: 'access' });
    expect(targets[2].v3).toEqual({
      user: 'zhuyun', level: 'auth_priv', authProtocol: 'sha', authKey: 'change-me-auth', privProtocol: 'aes', privKey: 'change-me-priv', context: undefined,
    });
    expect(targets[0].include!.some((m) => m('XGE0/0/1'))).toBe(true);
    expect(targets[0].exclude.some((m) => m('NULL0'))).toBe(true);
  });

  it('needs only targets; defaults are v2c, public, port 161, 2 s, 1 retry, 20 rows, all interfaces', () => {
    const config = SnmpConfigSchema.parse({ targets: ['127.0.0.1'] });
    expect(config).toEqual({
      targets: [{ host: '127.0.0.1' }], version: '2c', community: 'public', port: 161, request_timeout: 2_000, retries: 1, max_repetitions: 20,
      exclude: [], include_admin_down: false, tags: {},
    });
    expect(resolveTargets(config)[0]).toMatchObject({ name: '127.0.0.1', node: '127.0.0.1', include: undefined, upFrom: undefined });
  });

  it('names every mistake with its file, line and key, without touching the network', () => {
    const text = `${HEAD}probes:
  - type: snmp
    interval: 30s
    version: 2
    community: ""
    request_timeout: 2
    interfaces: ["/([a-z/"]
    targets:
      - { host: 10.0.0.1, district: "520199", version: 3 }
      - { host: "::1" }
      - { host: 10.0.0.1 }
      - { host: 10.0.0.9, tags: { node: x } }
    v3: { user: u, level: auth_priv, auth_key: short }
    frobnicate: 1
`;
    let message = '';
    try {
      parseConfig(text, 'r.yaml', { registry });
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'r.yaml:7: probes[0].community: must not be empty',
        'r.yaml:8: probes[0].request_timeout: must be a duration like 2s',
        expect.stringMatching(/^r\.yaml:9: probes\[0\]\.interfaces\[0\]: \/\(\[a-z\/ is not a valid regular expression/),
        'r.yaml:11: probes[0].targets[0].district: "520199" is not a known district or zone',
        'r.yaml:14: probes[0].targets[3].tags.node: node is set by the probe (use the target\'s own key where there is one)',
        'r.yaml:15: probes[0].v3.auth_key: must be at least 8 characters (RFC 3414)',
        'r.yaml:15: probes[0].v3.priv_key: is required for level auth_priv',
        'r.yaml:16: probes[0].frobnicate: unknown key for probe type snmp',
      ]),
    );
    // version: 2 means 2c: not an error
    expect(message).not.toContain('version');
  });

  it('checks across targets: v3 needs credentials, node ids, no device twice', () => {
    const r = SnmpConfigSchema.safeParse({ version: '3', targets: [{ host: '::1' }, '10.0.0.1', { host: '10.0.0.1', port: 161 }] });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'targets.0: version 3 needs a v3: block (user, keys) here or at the probe level',
      'targets.0: "::1" is not a node id: give node: (letters, digits and _ . : -)',
      'targets.1: version 3 needs a v3: block (user, keys) here or at the probe level',
      'targets.2: version 3 needs a v3: block (user, keys) here or at the probe level',
      'targets.2.host: 10.0.0.1:161 is already targets[1]',
    ]);
    expect(SnmpConfigSchema.safeParse({ targets: [{ host: '::1', node: 'yy-core-6' }] }).success).toBe(true);
  });

  it('creates a probe without opening a session', () => {
    const agent = new FakeSnmpAgent(routerT0);
    new SnmpProbe(options({ targets: ['10.0.0.1'] }), silentLogger, agent.factory);
    expect(agent.stats.sessions).toBe(0);
    const probe = snmpProbeDefinition.create(SnmpConfigSchema.parse({ targets: ['10.0.0.1'] }), { collector, logger: silentLogger });
    expect(probe.type).toBe('snmp');
  });
});

describe('snmp probe: a router (golden readings in testdata/)', () => {
  it('first reading: uptime, status, error and discard counters; no rates yet', async () => {
    const { collect, agent } = router();
    const points = await collect(T0);
    expect(table(points)).toEqual({
      'net.uptime_s': 86_400,
      'net.if_up GE0/0/0': 1, 'net.if_up XGE0/0/1': 1, 'net.if_up NULL0': 1, 'net.if_up Vlanif10': 0, 'net.if_up XGE0/0/3': 1, 'net.if_up Serial1/0/0': 1,
      'net.if_errors_total GE0/0/0 in': 12, 'net.if_errors_total GE0/0/0 out': 0,
      'net.if_discards_total GE0/0/0 in': 3, 'net.if_discards_total GE0/0/0 out': 0,
      'net.if_errors_total XGE0/0/1 in': 0, 'net.if_errors_total XGE0/0/1 out': 0,
      'net.if_discards_total XGE0/0/1 in': 0, 'net.if_discards_total XGE0/0/1 out': 1,
      'net.if_errors_total NULL0 in': 0, 'net.if_errors_total NULL0 out': 0, 'net.if_discards_total NULL0 in': 0, 'net.if_discards_total NULL0 out': 0,
      'net.if_errors_total Vlanif10 in': 0, 'net.if_errors_total Vlanif10 out': 0, 'net.if_discards_total Vlanif10 in': 0, 'net.if_discards_total Vlanif10 out': 0,
      'net.if_errors_total XGE0/0/3 in': 0, 'net.if_errors_total XGE0/0/3 out': 0, 'net.if_discards_total XGE0/0/3 in': 0, 'net.if_discards_total XGE0/0/3 out': 0,
      'net.if_errors_total Serial1/0/0 in': 0, 'net.if_errors_total Serial1/0/0 out': 0, 'net.if_discards_total Serial1/0/0 in': 0, 'net.if_discards_total Serial1/0/0 out': 0,
    });
    // GE0/0/2 is administratively down: not reported. The session was closed.
    expect(points.some((p) => p.tags.interface === 'GE0/0/2')).toBe(false);
    expect(agent.stats).toMatchObject({ sessions: 1, closed: 1 });
  });

  it('second reading: bit/s from 64-bit counters, through a 2^64 and a 2^32 wrap, and utilisation from ifHighSpeed', async () => {
    const { collect, agent } = router();
    await collect(T0);
    agent.load(routerT1);
    const points = await collect(T0 + 30_000);
    const t = table(points);
    const rates = Object.fromEntries(Object.entries(t).filter(([k]) => /bps|util/.test(k)));
    expect(rates).toEqual({
      'net.if_in_bps GE0/0/0': 100e6, 'net.if_out_bps GE0/0/0': 200e6, 'net.if_util_pct GE0/0/0': 20,
      'net.if_in_bps XGE0/0/1': 1e9, 'net.if_out_bps XGE0/0/1': 3e9, 'net.if_util_pct XGE0/0/1': 30,
      // NULL0 has speed 0: rates but no utilisation
      'net.if_in_bps NULL0': 0, 'net.if_out_bps NULL0': 0,
      'net.if_in_bps Vlanif10': 0, 'net.if_out_bps Vlanif10': 0, 'net.if_util_pct Vlanif10': 0,
      // ifHCInOctets went from 2^64 - 1e9 to 2.75e9
      'net.if_in_bps XGE0/0/3': 1e9, 'net.if_out_bps XGE0/0/3': 100e6, 'net.if_util_pct XGE0/0/3': 10,
      // no 64-bit counters: ifInOctets, wrapped at 2^32; ifSpeed 2.048 Mbit/s
      'net.if_in_bps Serial1/0/0': 1.536e6, 'net.if_out_bps Serial1/0/0': 1.024e6, 'net.if_util_pct Serial1/0/0': 75,
    });
    expect(t['net.if_errors_total GE0/0/0 in']).toBe(15);
    expect(t['net.if_discards_total GE0/0/0 in']).toBe(4);
    expect(t['net.uptime_s']).toBe(86_430);
    expect(points.find((p) => p.metric === 'net.if_in_bps' && p.tags.interface === 'GE0/0/0')).toEqual({
      metric: 'net.if_in_bps', ts: T0 + 30_000, value: 100e6, tags: { node: 'yy-core-1', target: 'yy-core-1', interface: 'GE0/0/0' },
    });
    expect(invalid(points, T0 + 30_000)).toEqual([]);
  });

  it('tags every point with node, target and the configured district and tags; all pass validatePoint', async () => {
    const { collect, agent } = router({ tags: { role: 'core' } }, { node: 'yy-core-1', name: 'yy-core-1.gov', district: '520103', up_from: 'agent' });
    await collect(T0);
    agent.load(routerT1);
    const points = await collect(T0 + 30_000);
    expect(points.length).toBeGreaterThan(40);
    for (const p of points) {
      expect(p.tags).toMatchObject({ district: '520103', node: 'yy-core-1', target: 'yy-core-1.gov', role: 'core' });
      expect(p.ts).toBe(T0 + 30_000);
    }
    expect(invalid(points, T0 + 30_000)).toEqual([]);
    expect(points.filter((p) => p.metric === 'net.up')).toEqual([
      { metric: 'net.up', ts: T0 + 30_000, value: 1, tags: { role: 'core', node: 'yy-core-1', target: 'yy-core-1.gov', district: '520103' } },
    ]);
  });

  it('gives no rate the round a device restarted, then rates from the new baseline', async () => {
    const { collect, agent, logger } = router();
    await collect(T0);
    // The router rebooted: up 15 s, counters small again.
    agent.load(routerT0).set(OIDS.sysUpTime, 1_500).set(`${OIDS.ifHCInOctets}.1`, 1_000n).set(`${OIDS.ifHCOutOctets}.1`, 2_000n);
    const restarted = await collect(T0 + 30_000);
    expect(restarted.filter((p) => p.metric.endsWith('_bps') || p.metric.endsWith('_pct'))).toEqual([]);
    expect(table(restarted)['net.uptime_s']).toBe(15);
    expect(logger.messages('info')).toContain('counters restarted: no rate this round');
    agent.set(OIDS.sysUpTime, 4_500).set(`${OIDS.ifHCInOctets}.1`, 1_000n + 375_000_000n).set(`${OIDS.ifHCOutOctets}.1`, 2_000n);
    const after = table(await collect(T0 + 60_000));
    expect(after['net.if_in_bps GE0/0/0']).toBe(100e6);
    expect(after['net.if_out_bps GE0/0/0']).toBe(0);
  });

  it('gives no rate for a counter that went down without a plausible wrap, and starts over', async () => {
    const { collect, agent } = router();
    await collect(T0);
    agent.load(routerT1).set(`${OIDS.ifHCInOctets}.1`, 5n);
    const t = table(await collect(T0 + 30_000));
    expect(t['net.if_in_bps GE0/0/0']).toBeUndefined();
    expect(t['net.if_in_bps XGE0/0/1']).toBe(1e9); // the others are unaffected
  });

  it('holds the baseline when collected twice at the same device time', async () => {
    const { collect } = router();
    await collect(T0);
    const again = await collect(T0);
    expect(again.some((p) => p.metric === 'net.if_in_bps')).toBe(false);
  });

  it('reports nothing (or net.up 0 with up_from) when the device does not answer, and logs it once', async () => {
    for (const upFrom of [undefined, 'agent', 'GE0/0/0']) {
      const { collect, agent, logger } = router({}, upFrom ? { up_from: upFrom } : {});
      agent.failure = new Error('Request timed out');
      const first = await collect(T0);
      await collect(T0 + 30_000);
      expect(first).toEqual(upFrom ? [{ metric: 'net.up', ts: T0, value: 0, tags: { node: 'yy-core-1', target: 'yy-core-1' } }] : []);
      expect(logger.entries.filter((e) => e.level === 'warn')).toEqual([
        { level: 'warn', obj: { probe: 'snmp', target: 'yy-core-1', host: '10.20.0.1', port: 161, err: 'Request timed out' }, msg: 'SNMP device does not answer' },
      ]);
      agent.failure = undefined;
      await collect(T0 + 60_000);
      expect(logger.messages('info')).toContain('SNMP device answers again');
      expect(agent.stats.sessions).toBe(agent.stats.closed);
    }
  });

  it('net.up from an interface: that interface oper up', async () => {
    const up = await router({}, { up_from: 'GE0/0/0' }).collect(T0);
    expect(up.find((p) => p.metric === 'net.up')?.value).toBe(1);
    const down = await router({}, { up_from: 'Vlanif10' }).collect(T0);
    expect(down.find((p) => p.metric === 'net.up')?.value).toBe(0);
    // by ifDescr too, and missing means down
    expect((await router({}, { up_from: 'GigabitEthernet0/0/0' }).collect(T0)).find((p) => p.metric === 'net.up')?.value).toBe(1);
    expect((await router({}, { up_from: 'GE9/9/9' }).collect(T0)).find((p) => p.metric === 'net.up')?.value).toBe(0);
  });

  it('selects interfaces by name or /regex/ against ifName and ifDescr, with excludes and admin-down', async () => {
    const names = async (extra: Record<string, unknown>, target: Record<string, unknown> = {}) =>
      [...new Set((await router(extra, target).collect(T0)).map((p) => p.tags.interface).filter(Boolean))];
    expect(await names({ interfaces: ['/^XGE/'] })).toEqual(['XGE0/0/1', 'XGE0/0/3']);
    expect(await names({ interfaces: ['/^xgigabit/i', 'Vlanif10'] })).toEqual(['XGE0/0/1', 'Vlanif10', 'XGE0/0/3']);
    expect(await names({ interfaces: ['GigabitEthernet0/0/0'] })).toEqual(['GE0/0/0']);
    expect(await names({ exclude: ['/^(NULL|Vlanif)/', 'Serial1/0/0'] })).toEqual(['GE0/0/0', 'XGE0/0/1', 'XGE0/0/3']);
    expect(await names({ include_admin_down: true, interfaces: ['/^GE/'] })).toEqual(['GE0/0/0', 'GE0/0/2']);
    // a target's own list replaces the probe's
    expect(await names({ interfaces: ['/^XGE/'] }, { interfaces: ['NULL0'] })).toEqual(['NULL0']);
  });

  it('keeps two interfaces with one name apart by if_index', async () => {
    const { collect, agent } = router();
    agent.set(`${OIDS.ifName}.2`, 'GE0/0/0');
    const ups = (await collect(T0)).filter((p) => p.metric === 'net.if_up' && p.tags.interface === 'GE0/0/0');
    expect(ups.map((p) => p.tags.if_index)).toEqual(['1', '2']);
  });

  it('passes host, port, version, community, timeout and retries to the session', async () => {
    const { collect, agent } = router({ community: 'secret', request_timeout: '1500ms', retries: 3, port: 1161 });
    await collect(T0);
    expect(agent.lastOptions).toMatchObject({ host: '10.20.0.1', port: 1161, version: '2c', community: 'secret', timeoutMs: 1_500, retries: 3 });
    expect(agent.lastOptions!.signal).toBeDefined();
  });
});

describe('IF-MIB reader', () => {
  it('walks all columns at once, whatever the rows per request, and ends each column at its edge', async () => {
    const reference = await readIfMib(new FakeSnmpAgent(debian).factory({} as never), { maxRepetitions: 20 });
    for (const maxRepetitions of [1, 3, 50]) {
      const agent = new FakeSnmpAgent(debian);
      const reading = await readIfMib(agent.factory({} as never), { maxRepetitions });
      expect(reading).toEqual(reference);
      expect(agent.stats.gets).toBe(1);
    }
    const agent = new FakeSnmpAgent(debian);
    await readIfMib(agent.factory({} as never), { maxRepetitions: 20 });
    expect(agent.stats.bulks).toBe(1); // 4 rows per column fit one GETBULK
  });

  it('reads the loopback interface of Debian snmpd (captured walk)', async () => {
    const reading = await readIfMib(new FakeSnmpAgent(debian).factory({} as never), { maxRepetitions: 20 });
    expect(reading.uptimeTicks).toBeGreaterThan(0);
    expect(reading.interfaces.map((r) => r.ifName)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(reading.interfaces[0]).toMatchObject({ ifIndex: 1, ifName: 'lo', ifDescr: 'lo', adminStatus: 1, operStatus: 1, highSpeed: 10, speed: 10_000_000 });
    expect(typeof reading.interfaces[0].hcInOctets).toBe('bigint');
    expect(reading.interfaces[0].hcInOctets).toBe(reading.interfaces[0].inOctets);
  });

  it('stops a walk whose agent answers out of order', async () => {
    const session = {
      get: async () => [],
      getBulk: async (oids: string[]) => oids.map((oid) => [{ oid: `${oid}.5`, type: 'Integer' as const, value: 1 }, { oid: `${oid}.5`, type: 'Integer' as const, value: 1 }]),
      close() {},
    };
    await expect(walkColumns(session, ['1.3.6.1.2.1.2.2.1.8'], { maxRepetitions: 2 })).rejects.toThrow('OIDs out of order');
  });

  it('rejects an answer without sysUpTime', async () => {
    const agent = new FakeSnmpAgent(debian).drop(OIDS.sysUpTime);
    await expect(readIfMib(agent.factory({} as never), { maxRepetitions: 20 })).rejects.toThrow('sysUpTime.0 with NoSuchObject');
  });

  it('decodes Counter64 buffers, with or without a leading zero byte', () => {
    expect(counter64FromBuffer(Buffer.from([0x01, 0x00]))).toBe(256n);
    expect(counter64FromBuffer(Buffer.from('00ffffffffffffffff', 'hex'))).toBe((1n << 64n) - 1n);
    expect(counter64FromBuffer(Buffer.alloc(0))).toBe(0n);
  });
});
