import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DistrictData, LiveFrame, OverviewData, StatusChange } from '@zhuyun/protocol';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 15 item 5: a collector pushes an uplink's utilisation around its 70 % warning threshold
 * (69.9 / 70.1 / 69.9 ...). The node enters degraded once and stays there (status hysteresis: it
 * leaves only below 63 %); the live feed carries one status change, not one per point, and its
 * cause as code and parameters.
 */
let server: TestServer;
let token: string;
let batchNo = 0;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('wd-edge-01', '520181');
});
afterAll(() => server.close());

async function send(value: number) {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      collector: 'wd-edge-01',
      batch: `wd-edge-01:h-${++batchNo}`,
      points: [
        { metric: 'net.up', ts: Date.now(), value: 1, tags: { district: '520181', node: 'qz-uplink-1' } },
        { metric: 'net.if_util_pct', ts: Date.now(), value, tags: { district: '520181', node: 'qz-uplink-1' } },
      ],
    }),
  });
  expect(res.status).toBe(202);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('status hysteresis on the live feed', () => {
  it('an uplink wavering around 70 % turns degraded once, with no status_change flood, and recovers below 63 %', async () => {
    const client = new LiveTestClient(server.url, server.token);
    try {
      await client.connected();
      await send(50);
      await sleep(300);
      await client.subscribe(['overview', 'district:520181', 'node:qz-uplink-1']);
      // 69.9 / 70.1 / ... every 200 ms for 4 s.
      for (let i = 0; i < 20; i++) {
        await send(i % 2 ? 69.9 : 70.1);
        await sleep(200);
      }
      await sleep(1500);
      const nodeChanges = (data: OverviewData) => data.changes.filter((c: StatusChange) => c.kind === 'node' && c.id === 'qz-uplink-1');
      const last = [...client.frames].reverse().find((f) => f.topic === 'overview') as LiveFrame<OverviewData>;
      expect(nodeChanges(last.data).map((c) => `${c.from}→${c.to}`)).toEqual(['up→degraded']);
      expect(nodeChanges(last.data)[0].cause).toEqual({ code: 'threshold', params: { metric: 'net.if_util_pct', value: 70.1, op: '≥', limit: 70, level: 'warning' } });
      // Every district frame after the first degraded one still says degraded.
      const district = client.frames.filter((f) => f.topic === 'district:520181') as LiveFrame<DistrictData>[];
      const statuses = district.map((f) => f.data.nodes.find((n) => n.id === 'qz-uplink-1')?.status);
      const first = statuses.indexOf('degraded');
      expect(first).toBeGreaterThanOrEqual(0);
      expect(statuses.slice(first).every((s) => s === 'degraded')).toBe(true);
      const held = district.at(-1)!.data.nodes.find((n) => n.id === 'qz-uplink-1')!;
      expect(held.causes).toEqual([{ code: 'threshold-held', params: { metric: 'net.if_util_pct', value: 69.9, op: '≥', limit: 70, level: 'warning', recover: 63 } }]);
      // Below the recovery level it is up again.
      await send(62);
      await client.waitForFrame<OverviewData>((f) => f.topic === 'overview' && nodeChanges(f.data)[0]?.to === 'up', 5000);
    } finally {
      client.close();
    }
  });
});
