import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DistrictData, LiveFrame, OverviewData } from '@zhuyun/protocol';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
let batchNo = 0;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('yunyan-edge-01', '520103');
});
afterAll(() => server.close());

async function send(points: Array<{ metric: string; value: number; node?: string; district?: string }>) {
  const ts = Date.now();
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      collector: 'yunyan-edge-01',
      batch: `yunyan-edge-01:live-${++batchNo}`,
      points: points.map((p) => ({ metric: p.metric, ts, value: p.value, tags: { district: p.district ?? '520103', node: p.node ?? 'yy-core-1' } })),
    }),
  });
  expect(res.status).toBe(202);
}

describe('/live', () => {
  it('answers a subscription with a snapshot, then pushes what changed in a frame', async () => {
    const client = new LiveTestClient(server.url, server.token);
    try {
      await client.connected();
      const ack = await client.subscribe(['district:520103', 'overview']);
      expect(ack).toEqual({ subscribed: ['district:520103', 'overview'], rejected: [] });
      expect(client.snapshots.map((s) => s.topic).sort()).toEqual(['district:520103', 'overview']);
      const snap = client.snapshots.find((s) => s.topic === 'district:520103') as LiveFrame<DistrictData>;
      expect(snap.data.unit.code).toBe('520103');

      await send([{ metric: 'net.latency_ms', value: 17.25 }, { metric: 'net.up', value: 1 }]);
      const frame = await client.waitForFrame<DistrictData>(
        (f) => f.topic === 'district:520103' && f.data.nodes.some((n) => n.metrics['net.latency_ms'] === 17.25),
      );
      expect(frame.seq).toBeGreaterThan(snap.seq);
      expect(frame.data.nodes.find((n) => n.id === 'yy-core-1')).toMatchObject({ status: 'up', district: '520103' });

      // A fault: the district turns red on the overview too.
      await send([{ metric: 'net.up', value: 0 }]);
      const red = await client.waitForFrame<OverviewData>((f) => f.topic === 'overview' && f.data.units.find((u) => u.code === '520103')?.status === 'down');
      expect(red.data.changes[0]).toMatchObject({ kind: 'unit', id: '520103', to: 'down' });
    } finally {
      client.close();
    }
  });

  it('sends at most one frame per topic per second, with seq rising by one', async () => {
    const client = new LiveTestClient(server.url, server.token);
    try {
      await client.connected();
      await client.subscribe(['district:520103']);
      const start = Date.now();
      for (let i = 0; i < 20; i++) await send([{ metric: 'net.latency_ms', value: 1 + i / 10 }, { metric: 'net.up', value: 1 }]);
      await new Promise((r) => setTimeout(r, 2500));
      const elapsed = (Date.now() - start) / 1000;
      const frames = client.frames.filter((f) => f.topic === 'district:520103');
      expect(frames.length).toBeGreaterThan(0);
      // Twenty batches went in; the frames are bounded by the seconds that passed, not by the batches.
      expect(frames.length).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
      for (let i = 1; i < frames.length; i++) expect(frames[i].seq).toBe(frames[i - 1].seq + 1);
    } finally {
      client.close();
    }
  });

  it('rejects unknown topics with a reason and keeps the good ones', async () => {
    const client = new LiveTestClient(server.url, server.token);
    try {
      await client.connected();
      const ack = await client.subscribe(['district:999999', 'weather', 'node:yy-core-1']);
      expect(ack.subscribed).toEqual(['node:yy-core-1']);
      expect(ack.rejected.map((r) => r.topic)).toEqual(['district:999999', 'weather']);
      expect(ack.rejected[0].error).toMatch(/unknown topic/);
      expect(client.errors).toHaveLength(2);
    } finally {
      client.close();
    }
  });
});
