import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { SNMPD_V3, freeUdpPort, snmpdAvailable, startSnmpd, type Snmpd } from '../../../../test/support/snmpd.js';
import { silentLogger } from '../../logger.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { SnmpConfigSchema, snmpProbeDefinition, type SnmpProbe } from './snmp.probe.js';

// The probe against a real agent: Debian's snmpd on a free port of 127.0.0.1 (test/support/snmpd.ts),
// serving this machine's own interfaces. Skipped loudly where snmpd is missing, failed under CI=true.

const collector = { id: 'snmp-it', district: '520103' };
const run = snmpdAvailable() ? describe : describe.skip;

/** Pushes `bytes` through a TCP connection on loopback, so `lo` counts some traffic. */
async function loopbackTraffic(bytes: number): Promise<void> {
  const server = createServer((socket) => socket.resume());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = createConnection({ port, host: '127.0.0.1' });
  await once(client, 'connect');
  client.end(Buffer.alloc(bytes, 0x5a));
  await once(client, 'close');
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function make(config: Record<string, unknown>, logger = silentLogger): SnmpProbe {
  return snmpProbeDefinition.create(SnmpConfigSchema.parse(config), { collector, logger }) as SnmpProbe;
}

async function collect(probe: SnmpProbe, now = Date.now()): Promise<RawPoint[]> {
  return probe.collect({ now, signal: AbortSignal.timeout(20_000), collector });
}

const lo = (points: RawPoint[], metric: string, direction?: string) =>
  points.find((p) => p.metric === metric && p.tags.interface === 'lo' && p.tags.direction === direction);

function expectValid(points: RawPoint[]) {
  const now = Date.now();
  const bad = points.map((p) => ({ p, check: validatePoint({ ...p, tags: { district: collector.district, ...p.tags } }, now) })).filter((x) => !x.check.ok);
  expect(bad).toEqual([]);
}

run('snmp probe against Debian snmpd on 127.0.0.1', () => {
  let snmpd: Snmpd;
  beforeAll(async () => {
    snmpd = await startSnmpd();
  }, 30_000);
  afterAll(async () => {
    await snmpd?.destroy();
  });

  it('collects the loopback interface twice: sane values, then rates ≥ 0 (and > 0 once traffic is counted)', async () => {
    const probe = make({ targets: [{ host: snmpd.host, port: snmpd.port, node: 'snmp-it-host', name: 'localhost-snmpd', up_from: 'lo' }] });
    const first = await collect(probe);
    expectValid(first);
    const uptime = first.find((p) => p.metric === 'net.uptime_s');
    expect(uptime?.value).toBeGreaterThanOrEqual(0);
    expect(uptime?.value).toBeLessThan(3_600); // this snmpd started a moment ago
    expect(lo(first, 'net.if_up')?.value).toBe(1);
    expect(first.find((p) => p.metric === 'net.up')?.value).toBe(1);
    expect(lo(first, 'net.if_errors_total', 'in')?.value).toBeGreaterThanOrEqual(0);
    expect(lo(first, 'net.if_discards_total', 'out')?.value).toBeGreaterThanOrEqual(0);
    expect(lo(first, 'net.if_in_bps')).toBeUndefined(); // first reading: baseline only
    expect(lo(first, 'net.if_up')?.tags).toEqual({ node: 'snmp-it-host', target: 'localhost-snmpd', interface: 'lo' });

    // snmpd caches interface counters for a few seconds: poll (with traffic) until a rate above 0
    // shows up; every rate on the way must be ≥ 0.
    const deadline = Date.now() + 25_000;
    let inBps = 0;
    let rounds = 0;
    while (inBps === 0) {
      await loopbackTraffic(4 * 1024 * 1024);
      await new Promise((r) => setTimeout(r, 1_000));
      const points = await collect(probe);
      rounds++;
      expectValid(points);
      const rateIn = lo(points, 'net.if_in_bps');
      const rateOut = lo(points, 'net.if_out_bps');
      const util = lo(points, 'net.if_util_pct');
      expect(rateIn?.value).toBeGreaterThanOrEqual(0);
      expect(rateOut?.value).toBeGreaterThanOrEqual(0);
      expect(util?.value).toBeGreaterThanOrEqual(0); // lo says 10 Mbit/s, so this may pass 100
      inBps = rateIn!.value;
      if (Date.now() > deadline) throw new Error(`no traffic counted on lo after ${rounds} rounds`);
    }
    expect(inBps).toBeGreaterThan(0);
  }, 40_000);

  it('speaks SNMPv3 (authPriv, SHA + AES)', async () => {
    const probe = make({
      version: '3',
      v3: { user: SNMPD_V3.user, auth_key: SNMPD_V3.authKey, priv_key: SNMPD_V3.privKey },
      interfaces: ['lo'],
      targets: [{ host: snmpd.host, port: snmpd.port, node: 'snmp-it-host' }],
    });
    const points = await collect(probe);
    expect(lo(points, 'net.if_up')?.value).toBe(1);
    expect(new Set(points.map((p) => p.tags.interface).filter(Boolean))).toEqual(new Set(['lo']));
  });

  it('a wrong community is a device that does not answer: net.up 0, one warning, no throw', async () => {
    const logger = new RecordingLogger();
    const probe = make(
      { community: 'wrong', request_timeout: '300ms', retries: 0, targets: [{ host: snmpd.host, port: snmpd.port, node: 'snmp-it-host', up_from: 'agent' }] },
      logger,
    );
    const points = await collect(probe);
    expect(points).toEqual([expect.objectContaining({ metric: 'net.up', value: 0 })]);
    expect(logger.messages('warn')).toEqual(['SNMP device does not answer']);
  });

  it('a port where nothing listens: net.up 0 after the request timeout', async () => {
    const port = await freeUdpPort();
    const probe = make({ request_timeout: '200ms', retries: 1, targets: [{ host: '127.0.0.1', port, node: 'nobody', up_from: 'agent' }] });
    expect(await collect(probe)).toEqual([expect.objectContaining({ metric: 'net.up', value: 0, tags: { node: 'nobody', target: '127.0.0.1' } })]);
  });

  it('stops at once when the collection is aborted', async () => {
    const port = await freeUdpPort();
    const probe = make({ request_timeout: '10s', retries: 0, targets: [{ host: '127.0.0.1', port, node: 'nobody', up_from: 'agent' }] });
    const controller = new AbortController();
    const pending = probe.collect({ now: Date.now(), signal: controller.signal, collector });
    controller.abort();
    // Resolves (does not hang for 10 s, does not reject): the scheduler discards what comes back.
    await expect(pending).resolves.toEqual([expect.objectContaining({ metric: 'net.up', value: 0 })]);
  }, 5_000);
});
