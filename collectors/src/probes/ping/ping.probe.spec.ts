import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { classifyPingFailure, parsePingOutput, pingStats, statsFromPing } from './ping.parser.js';
import { PingProbe, pingProbeDefinition, type CommandResult, type PingIo, type PingProbeOptions } from './ping.probe.js';
import { loadBuiltinProbes } from '../builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

const NOW = Date.UTC(2025, 0, 6, 2, 0, 0);
const collector = { id: 'yy-edge-01', district: '520103' };
const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

function ctx(signal = new AbortController().signal) {
  return { now: NOW, signal, collector };
}

/** Every point the server would accept, or the reasons it would not. */
function invalid(points: RawPoint[]): string[] {
  return points.map((p) => validatePoint(p, NOW)).flatMap((c) => (c.ok ? [] : [c.error]));
}

const byMetric = (points: RawPoint[], target?: string) =>
  Object.fromEntries(points.filter((p) => !target || p.tags.target === target).map((p) => [p.metric, p.value]));

describe('ping output parsing (golden, real iputils captures)', () => {
  it('reads every reply and the summary of a clean run', () => {
    const parsed = parsePingOutput(testdata('success.out'));
    expect(parsed.replies).toEqual([
      { seq: 1, rttMs: 0.04 },
      { seq: 2, rttMs: 0.037 },
      { seq: 3, rttMs: 0.04 },
      { seq: 4, rttMs: 0.034 },
      { seq: 5, rttMs: 0.043 },
    ]);
    expect(parsed.summary).toEqual({ transmitted: 5, received: 5, errors: 0 });
    expect(statsFromPing(parsed, 5)).toEqual({
      sent: 5, received: 5, lossPct: 0, meanMs: 0.0388, medianMs: 0.04,
      // (|.037-.040| + |.040-.037| + |.034-.040| + |.043-.034|) / 4 = .00525, just under in binary floating point
      jitterMs: 0.0052,
    });
    expect(classifyPingFailure(testdata('success.out'), '')).toBeUndefined();
  });

  it('reads a partial loss: the replies that came, loss from the summary counts', () => {
    const parsed = parsePingOutput(testdata('partial-loss.out'));
    expect(parsed.replies.map((r) => r.seq)).toEqual([4, 5, 6, 7, 8, 11, 12]);
    expect(parsed.summary).toEqual({ transmitted: 12, received: 7, errors: 0 });
    expect(statsFromPing(parsed, 12)).toEqual({
      sent: 12, received: 7, lossPct: 41.6667, meanMs: 0.1391, medianMs: 0.046, jitterMs: 0.1132,
    });
  });

  it('reads a total loss as a measurement (100 %, no round trip), not as a failure', () => {
    for (const file of ['total-loss.out', 'unreachable.out']) {
      const parsed = parsePingOutput(testdata(file));
      expect(parsed.replies).toEqual([]);
      expect(classifyPingFailure(testdata(file), '')).toBeUndefined();
      const stats = statsFromPing(parsed, 4);
      expect(stats.lossPct).toBe(100);
      expect(stats.meanMs).toBeUndefined();
      expect(stats.jitterMs).toBeUndefined();
    }
    expect(parsePingOutput(testdata('total-loss.out')).summary).toEqual({ transmitted: 4, received: 0, errors: 0 });
    // "From 10.8.8.1 icmp_seq=1 Destination Host Unreachable" is not a reply.
    expect(parsePingOutput(testdata('unreachable.out')).summary).toEqual({ transmitted: 6, received: 0, errors: 1 });
  });

  it('tells an unknown host and a missing ICMP permission apart from other failures', () => {
    expect(classifyPingFailure('', testdata('unknown-host.err'))).toBe('unknown_host');
    expect(classifyPingFailure('', 'ping: core.gov.example: Temporary failure in name resolution\n')).toBe('unknown_host');
    expect(classifyPingFailure('', testdata('permission-denied.err'))).toBe('not_permitted');
    expect(classifyPingFailure('', 'ping: invalid argument: \'x\'\n')).toBe('other');
  });

  it('leaves duplicates out and reads BusyBox output too', () => {
    const iputils = [
      '64 bytes from 10.1.0.1: icmp_seq=1 ttl=62 time=1.20 ms',
      '64 bytes from 10.1.0.1: icmp_seq=1 ttl=62 time=1.90 ms (DUP!)',
      '64 bytes from 10.1.0.1: icmp_seq=2 ttl=62 time=2.20 ms',
      '2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 1001ms',
    ].join('\n');
    expect(parsePingOutput(iputils)).toEqual({
      replies: [{ seq: 1, rttMs: 1.2 }, { seq: 2, rttMs: 2.2 }], summary: { transmitted: 2, received: 2, errors: 0 }, duplicates: 1,
    });
    const busybox = [
      'PING 10.1.0.1 (10.1.0.1): 56 data bytes',
      '64 bytes from 10.1.0.1: seq=0 ttl=62 time=3.100 ms',
      '64 bytes from 10.1.0.1: seq=2 ttl=62 time=4.100 ms',
      '3 packets transmitted, 2 packets received, 33% packet loss',
      'round-trip min/avg/max = 3.100/3.600/4.100 ms',
    ].join('\n');
    expect(statsFromPing(parsePingOutput(busybox), 3)).toEqual({
      sent: 3, received: 2, lossPct: 33.3333, meanMs: 3.6, medianMs: 3.6, jitterMs: 1,
    });
  });

  it('computes jitter as the mean absolute difference of successive round trips', () => {
    expect(pingStats([1, 3, 2], 3).jitterMs).toBe(1.5);
    expect(pingStats([10, 10, 10, 10], 4).jitterMs).toBe(0);
    expect(pingStats([5], 2)).toEqual({ sent: 2, received: 1, lossPct: 50, meanMs: 5, medianMs: 5 });
    expect(pingStats([4, 1, 3, 2], 4)).toMatchObject({ meanMs: 2.5, medianMs: 2.5, jitterMs: 2 });
    expect(pingStats([], 0).lossPct).toBe(100);
  });
});

/** A PingIo that replays captured outputs per host and records what was run. */
function fakeIo(byHost: Record<string, Partial<CommandResult>>, tcp: Record<string, number[] | 'refused'> = {}) {
  const runs: Array<{ file: string; args: readonly string[] }> = [];
  const connects: Array<{ address: string; port: number }> = [];
  const io: PingIo = {
    async run(file, args) {
      runs.push({ file, args });
      const host = args[args.length - 1];
      return { code: 0, stdout: '', stderr: '', ...byHost[host] };
    },
    async resolve(host) {
      if (host.endsWith('.invalid')) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
      return host;
    },
    async tcpConnect(address, port) {
      connects.push({ address, port });
      const plan = tcp[address];
      if (plan === 'refused' || !plan) return { ok: false, error: 'ECONNREFUSED' };
      const rtt = plan.shift();
      return rtt === undefined ? { ok: false, error: 'timeout' } : { ok: true, rttMs: rtt };
    },
    async sleep() {},
  };
  return { io, runs, connects };
}

const ENOENT: Partial<CommandResult> = { code: null, error: { code: 'ENOENT', message: 'spawn ping ENOENT' } };
const NOT_PERMITTED: Partial<CommandResult> = { code: 2, stderr: testdata('permission-denied.err') };

function probe(options: Partial<PingProbeOptions>, io: PingIo, logger = new RecordingLogger()) {
  return new PingProbe({ targets: [], node: 'yy-core-1', ...options }, logger, io);
}

describe('PingProbe through its I/O seam', () => {
  it('runs iputils with the configured count, interval and timeout, and reports each target', async () => {
    const { io, runs } = fakeIo({
      '127.0.0.1': { stdout: testdata('success.out') },
      '10.9.9.2': { stdout: testdata('partial-loss.out') },
      '10.8.8.9': { code: 1, stdout: testdata('unreachable.out') },
    });
    const p = probe({
      targets: [
        { host: '127.0.0.1', name: 'loopback' },
        { host: '10.9.9.2', name: 'city-core' },
        { host: '10.8.8.9', name: '10.8.8.9' },
      ],
      count: 12, intervalMs: 200, timeoutMs: 1500,
    }, io);
    const points = await p.collect(ctx());
    expect(runs[0]).toEqual({ file: 'ping', args: ['-n', '-c', '12', '-i', '0.2', '-W', '1.5', '127.0.0.1'] });
    expect(byMetric(points, 'loopback')).toEqual({ 'net.up': 1, 'net.loss_pct': 0, 'net.latency_ms': 0.0388, 'net.jitter_ms': 0.0052 });
    expect(byMetric(points, 'city-core')).toEqual({ 'net.up': 1, 'net.loss_pct': 41.6667, 'net.latency_ms': 0.1391, 'net.jitter_ms': 0.1132 });
    expect(byMetric(points, '10.8.8.9')).toEqual({ 'net.up': 0, 'net.loss_pct': 100 });
    expect(points.find((p) => p.tags.target === 'city-core')?.tags).toEqual({ district: '520103', node: 'yy-core-1', target: 'city-core' });
    expect(points.every((pt) => pt.ts === NOW)).toBe(true);
    expect(invalid(points)).toEqual([]);
  });

  it('reports the median when asked', async () => {
    const { io } = fakeIo({ '10.9.9.2': { stdout: testdata('partial-loss.out') } });
    const points = await probe({ targets: [{ host: '10.9.9.2', name: 'c' }], latency: 'median' }, io).collect(ctx());
    expect(byMetric(points)['net.latency_ms']).toBe(0.046);
  });

  it('reports an unknown host as down with no loss, logging it once', async () => {
    const { io } = fakeIo({ 'nope.invalid': { code: 2, stderr: testdata('unknown-host.err') } });
    const logger = new RecordingLogger();
    const p = probe({ targets: [{ host: 'nope.invalid', name: 'nope.invalid' }] }, io, logger);
    const first = await p.collect(ctx());
    await p.collect(ctx());
    expect(first.map((pt) => [pt.metric, pt.value])).toEqual([['net.up', 0]]);
    expect(invalid(first)).toEqual([]);
    expect(logger.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
    expect(logger.messages('warn')[0]).toContain('cannot resolve nope.invalid');
  });

  it.each([
    ['ping is not installed', ENOENT],
    ['ICMP is not permitted', NOT_PERMITTED],
  ])('falls back to TCP connect when %s, once and for good', async (_why, result) => {
    const { io, runs, connects } = fakeIo({ '10.1.0.1': result, '10.1.0.2': result }, { '10.1.0.1': [2, 4, 3, 3], '10.1.0.2': 'refused' });
    const logger = new RecordingLogger();
    const p = probe({ targets: [{ host: '10.1.0.1', name: 'core', port: 443 }, { host: '10.1.0.2', name: 'acc' }], port: 22, count: 4, concurrency: 1 }, io, logger);
    const points = await p.collect(ctx());
    expect(p.currentMethod()).toBe('tcp');
    expect(byMetric(points, 'core')).toEqual({ 'net.up': 1, 'net.loss_pct': 0, 'net.latency_ms': 3, 'net.jitter_ms': 1 });
    // A refused port is lost, every time.
    expect(byMetric(points, 'acc')).toEqual({ 'net.up': 0, 'net.loss_pct': 100 });
    expect(connects.filter((c) => c.address === '10.1.0.1').every((c) => c.port === 443)).toBe(true);
    expect(connects.filter((c) => c.address === '10.1.0.2').every((c) => c.port === 22)).toBe(true);
    expect(invalid(points)).toEqual([]);
    const runsBefore = runs.length;
    await p.collect(ctx());
    expect(runs.length).toBe(runsBefore); // ping is not tried again
    expect(logger.messages('warn')).toEqual(['ICMP is not available: measuring targets by TCP connect instead']);
  });

  it('leaves a target without a port unmeasured (unknown, not down) after the fallback', async () => {
    const { io } = fakeIo({ '10.1.0.1': ENOENT });
    const logger = new RecordingLogger();
    const points = await probe({ targets: [{ host: '10.1.0.1', name: 'core' }] }, io, logger).collect(ctx());
    expect(points).toEqual([]);
    expect(logger.messages('warn')).toContain('no port for TCP connect to 10.1.0.1: set port on the probe or the target');
  });

  it('with method icmp, never falls back: no points and a log line', async () => {
    const { io, connects } = fakeIo({ '10.1.0.1': NOT_PERMITTED });
    const logger = new RecordingLogger();
    const p = probe({ targets: [{ host: '10.1.0.1', name: 'core', port: 443 }], method: 'icmp' }, io, logger);
    expect(await p.collect(ctx())).toEqual([]);
    expect(connects).toEqual([]);
    expect(logger.messages('warn')[0]).toMatch(/ICMP not permitted .*method is icmp/);
  });

  it('with method tcp, never runs ping; an unresolvable name is down', async () => {
    const { io, runs } = fakeIo({}, { '10.1.0.1': [1, 1, 1, 1, 1] });
    const points = await probe({
      targets: [{ host: '10.1.0.1', name: 'core' }, { host: 'gone.invalid', name: 'gone' }], method: 'tcp', port: 443,
    }, io).collect(ctx());
    expect(runs).toEqual([]);
    expect(byMetric(points, 'core')).toEqual({ 'net.up': 1, 'net.loss_pct': 0, 'net.latency_ms': 1, 'net.jitter_ms': 0 });
    expect(byMetric(points, 'gone')).toEqual({ 'net.up': 0 });
  });

  it('returns nothing when the collection is aborted', async () => {
    const controller = new AbortController();
    const io: PingIo = {
      ...fakeIo({}).io,
      run: (_f, _a, signal) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve({ code: null, stdout: '', stderr: '', error: { code: 'ABORT_ERR', message: 'aborted' } }))),
    };
    const pending = probe({ targets: [{ host: '10.1.0.1', name: 'core' }] }, io).collect(ctx(controller.signal));
    controller.abort();
    expect(await pending).toEqual([]);
  });
});

const havePing = spawnSync('ping', ['-V'], { encoding: 'utf8' }).status === 0;
if (!havePing && process.env.CI !== 'true') {
  console.warn('\n*** `ping` not found: the real ping test is skipped (Debian: apt-get install -y iputils-ping) ***\n');
}

describe('PingProbe for real', () => {
  (havePing || process.env.CI === 'true' ? it : it.skip)('pings 127.0.0.1 with the system ping', async () => {
    const logger = new RecordingLogger();
    const p = new PingProbe({ targets: [{ host: '127.0.0.1', name: 'loopback' }], method: 'icmp', count: 3, intervalMs: 200, node: 'yy-core-1' }, logger);
    const points = await p.collect(ctx());
    expect(logger.messages('warn')).toEqual([]);
    const m = byMetric(points);
    expect(m['net.up']).toBe(1);
    expect(m['net.loss_pct']).toBe(0);
    expect(m['net.latency_ms']).toBeGreaterThan(0);
    expect(m['net.jitter_ms']).toBeGreaterThanOrEqual(0);
    expect(invalid(points)).toEqual([]);
  });

  describe('TCP connect', () => {
    let server: Server;
    let openPort: number;
    let closedPort: number;
    beforeAll(async () => {
      server = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      openPort = (server.address() as { port: number }).port;
      // A port that was free a moment ago and is closed now: connecting to it is refused.
      const probeServer = createServer();
      await new Promise<void>((resolve) => probeServer.listen(0, '127.0.0.1', resolve));
      closedPort = (probeServer.address() as { port: number }).port;
      await new Promise<void>((resolve) => probeServer.close(() => resolve()));
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('times connections to an open port and counts a closed one as lost', async () => {
      const p = new PingProbe(
        {
          targets: [{ host: '127.0.0.1', name: 'open', port: openPort }, { host: 'localhost', name: 'closed', port: closedPort }],
          method: 'tcp', count: 3, intervalMs: 200, node: 'yy-core-1',
        },
        silentLogger,
      );
      const points = await p.collect(ctx());
      const open = byMetric(points, 'open');
      expect(open['net.up']).toBe(1);
      expect(open['net.loss_pct']).toBe(0);
      expect(open['net.latency_ms']).toBeGreaterThan(0);
      expect(open['net.jitter_ms']).toBeGreaterThanOrEqual(0);
      expect(byMetric(points, 'closed')).toEqual({ 'net.up': 0, 'net.loss_pct': 100 });
      expect(invalid(points)).toEqual([]);
    });

    it('falls back to TCP for real when the ping binary does not exist', async () => {
      const logger = new RecordingLogger();
      const p = new PingProbe(
        { targets: [{ host: '127.0.0.1', name: 'open', port: openPort }], binary: '/nonexistent/zhuyun-ping', count: 2, intervalMs: 200, node: 'yy-core-1' },
        logger,
      );
      const points = await p.collect(ctx());
      expect(p.currentMethod()).toBe('tcp');
      expect(byMetric(points, 'open')).toMatchObject({ 'net.up': 1, 'net.loss_pct': 0 });
      expect(logger.entries.find((e) => e.level === 'warn')?.obj).toEqual({ probe: 'ping', reason: '/nonexistent/zhuyun-ping not found' });
    });
  });
});

describe('ping probe config', () => {
  const head = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: yy-edge-01, district: "520103" }\n';

  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./ping.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(head + sample, 'ping.sample.yaml');
    expect(config.probes[0]).toMatchObject({
      type: 'ping', name: 'uplinks', intervalMs: 10_000, timeoutMs: 9_000, jitterMs: 2_000,
      options: {
        targets: [
          { host: '10.1.0.1', name: '10.1.0.1' },
          { host: 'city-core.gov.example', name: 'city-core', port: 443 },
          { host: 'fd00:52:1::1', name: 'cloud-gateway' },
        ],
        method: 'auto', count: 5, ping_interval: 1_000, ping_timeout: 1_000, port: 443, concurrency: 8,
        latency: 'mean', node: 'yy-core-1', district: '520103', binary: '/usr/bin/ping',
      },
    });
  });

  it('applies defaults and takes the node from the collector id', async () => {
    const config = pingProbeDefinition.configSchema.parse({ targets: ['10.1.0.1'] });
    expect(config).toEqual({
      targets: [{ host: '10.1.0.1', name: '10.1.0.1', port: undefined }],
      method: 'auto', count: 5, ping_interval: 1_000, ping_timeout: 1_000, concurrency: 8, latency: 'mean', binary: 'ping',
    });
    const { io } = fakeIo({ '10.1.0.1': { stdout: testdata('success.out') } });
    const created = pingProbeDefinition.create(config, { collector, logger: silentLogger }) as PingProbe;
    // The factory wires the real I/O; swap it for the fake to read the tags without a network.
    (created as unknown as { io: PingIo }).io = io;
    const points = await created.collect(ctx());
    expect(points[0].tags).toEqual({ district: '520103', node: 'yy-edge-01', target: '10.1.0.1' });
  });

  it('refuses option-like hosts, duplicates, a missing port for tcp and short intervals, with the key path', () => {
    const text = `${head}probes:
  - type: ping
    interval: 10s
    method: tcp
    targets: ["-f", 10.1.0.1, { host: 10.1.0.2, name: 10.1.0.1 }]
    ping_interval: 10ms
    colour: red
`;
    let message = '';
    try {
      parseConfig(text, 'p.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('p.yaml:7: probes[0].targets[0]: must be a host (10.1.0.1, core.gov.example) or a map { host, name, port }');
    expect(message).toContain('p.yaml:8: probes[0].ping_interval: 10ms is too short: at least 200ms');
    expect(message).toContain('p.yaml:9: probes[0].colour: unknown key for probe type ping');
    const fixed = text.replace('"-f", ', '').replace('ping_interval: 10ms', 'ping_interval: 1s').replace('    colour: red\n', '');
    expect(() => parseConfig(fixed, 'p.yaml')).toThrow(/targets\[1\]: "10.1.0.1" is listed twice/);
    expect(() => parseConfig(fixed, 'p.yaml')).toThrow(/targets\[0\]: method tcp needs a port/);
  });
});
