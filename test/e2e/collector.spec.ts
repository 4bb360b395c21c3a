import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, HttpTransport, configFromObject, silentLogger, type Probe } from '@zhuyun/collectors';
import type { DistrictData, NodeState } from '@zhuyun/protocol';
import { LiveTestClient } from '../support/live-client.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A probe that reports a value the test chooses, so the value can be found again in a frame. */
class FixedProbe implements Probe {
  readonly type = 'fixed';
  constructor(private readonly latency: number) {}
  async collect(ctx: { now: number }) {
    return [
      { metric: 'net.latency_ms', ts: ctx.now, value: this.latency, tags: { district: '520103', node: 'yy-e2e-1' } },
      { metric: 'net.up', ts: ctx.now, value: 1, tags: { district: '520103', node: 'yy-e2e-1' } },
    ];
  }
}

describe('collector → server → live', () => {
  it('a collector agent pushes a value and a subscriber to district:520103 receives it in a frame', async () => {
    const token = await server.addCollector('yunyan-e2e', '520103');
    const client = new LiveTestClient(server.url, server.token);
    const agent = new Agent({
      config: configFromObject({ server: { url: server.url, token }, collector: { id: 'yunyan-e2e', district: '520103' } }, 'e2e'),
      probes: [{ probe: new FixedProbe(13.579), intervalMs: 500 }],
      transport: new HttpTransport({ url: server.url, token }),
      logger: silentLogger,
    });
    try {
      await client.connected();
      await client.subscribe(['district:520103']);
      agent.start();
      const frame = await client.waitForFrame<DistrictData>((f) =>
        f.data.nodes.some((n) => n.id === 'yy-e2e-1' && n.metrics['net.latency_ms'] === 13.579),
      );
      expect(frame.topic).toBe('district:520103');
      expect(frame.data.unit.code).toBe('520103');
      const node = frame.data.nodes.find((n) => n.id === 'yy-e2e-1') as NodeState;
      expect(node.status).toBe('up');
    } finally {
      const stats = await agent.stop();
      client.close();
      expect(stats.batchesSent).toBeGreaterThan(0);
      expect(stats.pointsRejected).toBe(0);
    }
  });

  it('the agent CLI with a YAML config and the simulate probe feeds its district', async () => {
    const token = await server.addCollector('huaxi-sim', '520111');
    const config = join(server.dataDir, 'agent.yaml');
    writeFileSync(
      config,
      [
        `server: { url: "${server.url}", token: "${token}" }`,
        'collector: { id: huaxi-sim, district: "520111", flush_interval: 500ms }',
        'probes:',
        '  - { type: simulate, interval: 500ms, units: ["520111"], fault_rate: 0, seed: 3 }',
        '',
      ].join('\n'),
    );
    const client = new LiveTestClient(server.url, server.token);
    let agent: ChildProcess | undefined;
    try {
      await client.connected();
      await client.subscribe(['district:520111']);
      agent = spawn('node', [join(repoRoot, 'collectors/dist/cli.js'), '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      const frame = await client.waitForFrame<DistrictData>((f) => f.data.nodes.length >= 4 && f.data.unit.status === 'up', 15_000);
      expect(frame.data.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['520111-core-1', '520111-acc-1']));
      expect(frame.data.unit.latencyMs).toBeGreaterThan(0);
    } finally {
      client.close();
      agent?.kill('SIGTERM');
    }
  });

  it('the agent CLI refuses a bad config with the file, line and key', async () => {
    const config = join(server.dataDir, 'bad.yaml');
    writeFileSync(config, ['server: { url: "http://127.0.0.1:1", token: "t" }', 'collector: { id: x, district: "520103" }', 'probes:', '  - { type: simulate, interval: ten }', ''].join('\n'));
    const child = spawn('node', [join(repoRoot, 'collectors/dist/cli.js'), '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(out).toMatch(/bad\.yaml:4.*probes\[0\]\.interval/);
  });
});
