// Issue 14 "Every view shows the name first and the id second": alerts (REST list, detail, the
// `alerts` live topic) and the overview's status changes carry the node's registry name, read as
// they are served, so a renamed node shows its new name.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AlertsLiveData, AlertWithRule, LiveFrame, OverviewData } from '@zhuyun/protocol';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
let batchNo = 0;
const CRITICAL = 'default-net-latency_ms-critical';

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector('yunyan-edge-01', '520103');
});
afterAll(() => server?.close());

async function send(value: number) {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      collector: 'yunyan-edge-01',
      batch: `yunyan-edge-01:names-${++batchNo}`,
      points: [{ metric: 'net.latency_ms', ts: Date.now(), value, tags: { district: '520103', node: 'yy-core-1', target: 'city-core' } }],
    }),
  });
  expect(res.status).toBe(202);
}

async function register(name: string) {
  const csv = ['节点编号,节点名称,层级,所属区县', `yy-core-1,${name},unit,520103`].join('\n');
  const res = await server.api('/api/v1/nodes/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  expect(res.status).toBe(200);
}

async function getJson<T>(path: string): Promise<T> {
  const res = await server.api(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('node names on alerts and status changes', () => {
  it('the alerts API, the alerts topic and the overview\'s changes carry the registry name; a rename shows', async () => {
    await register('云岩区汇聚节点');
    expect((await server.api(`/api/v1/alert-rules/${CRITICAL}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ forMs: 1000 }) })).status).toBe(200);

    const live = new LiveTestClient(server.url, server.token);
    try {
      await live.connected();
      expect(await live.subscribe(['alerts', 'overview'])).toEqual({ subscribed: ['alerts', 'overview'], rejected: [] });
      await send(3); // first seen: up, not a change
      await live.waitForFrame<OverviewData>((f) => f.topic === 'overview' && (f.data?.counts.up ?? 0) > 0);
      await send(80); // up → not up: a change, and the critical rule pending then firing

      const changed = await live.waitForFrame<OverviewData>((f) => f.topic === 'overview' && (f.data?.changes ?? []).some((c) => c.kind === 'node' && c.id === 'yy-core-1'));
      expect(changed.data.changes.find((c) => c.kind === 'node' && c.id === 'yy-core-1')).toMatchObject({ name: '云岩区汇聚节点', unit: '520103', from: 'up' });
      // The unit's own change carries no node name.
      for (const c of changed.data.changes.filter((x) => x.kind !== 'node')) expect(c).not.toHaveProperty('name');

      await waitFor(async () => (await getJson<AlertWithRule[]>('/api/v1/alerts?state=open')).some((a) => a.ruleId === CRITICAL));
      const firing = await live.waitForFrame<AlertsLiveData>((f) => f.topic === 'alerts' && f.data.open.some((a) => a.ruleId === CRITICAL));
      const alert = firing.data.open.find((a) => a.ruleId === CRITICAL)!;
      expect(alert).toMatchObject({ node: 'yy-core-1', name: '云岩区汇聚节点' });
      const listed = await getJson<AlertWithRule[]>('/api/v1/alerts?node=yy-core-1');
      expect(listed.find((a) => a.id === alert.id)).toMatchObject({ node: 'yy-core-1', name: '云岩区汇聚节点' });
      expect(await getJson<AlertWithRule>(`/api/v1/alerts/${alert.id}`)).toMatchObject({ name: '云岩区汇聚节点' });

      // Renamed in the registry: the stored alert and the held change are served with the new name.
      await register('云岩区核心节点');
      expect((await getJson<AlertWithRule[]>('/api/v1/alerts?node=yy-core-1')).find((a) => a.id === alert.id)).toMatchObject({ name: '云岩区核心节点' });
      const renamed = await live.waitForFrame<OverviewData>((f) => f.topic === 'overview' && (f.data?.changes ?? []).some((c) => c.id === 'yy-core-1' && c.name === '云岩区核心节点'));
      expect(renamed.data.changes.filter((c) => c.id === 'yy-core-1').every((c) => c.name === '云岩区核心节点')).toBe(true);
      // The alerts topic is served again with the new name (no alert changed).
      await live.waitForFrame<AlertsLiveData>((f) => f.topic === 'alerts' && f.data.open.some((a) => a.id === alert.id && a.name === '云岩区核心节点'));
      // The overview's frames kept applying as deltas (no gap): the client's data is whole.
      expect(live.frames.filter((f) => f.topic === 'overview').every((f) => f.data !== undefined)).toBe(true);
    } finally {
      live.close();
    }
  });
});

async function waitFor(pred: () => Promise<boolean> | boolean, ms = 10_000) {
  const until = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
