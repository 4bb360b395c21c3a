import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
const dir = mkdtempSync(join(tmpdir(), 'zhuyun-topo-'));
const file = join(dir, 'topology.json');
writeFileSync(
  file,
  JSON.stringify({
    nodes: [
      { node: 'gy-core', parent: null, role: 'core', label: '市级核心' },
      { node: 'yy-agg', parent: 'gy-core', role: 'aggregation', label: '云岩区汇聚' },
      { node: 'yy-acc-1', parent: 'yy-agg', role: 'access' },
    ],
  }),
);

beforeAll(async () => {
  server = await startTestServer({ ZHUYUN_TOPOLOGY: file });
  token = await server.addCollector('yunyan-edge-01', '520103');
});
afterAll(() => server.close());

const api = (path: string, init: RequestInit = {}) =>
  server.api(path, { ...init, headers: { 'content-type': 'application/json', ...((init.headers as Record<string, string>) ?? {}) } });

async function send(ts: number, up: Record<string, number>, tags: Record<string, Record<string, string>> = {}) {
  const points = Object.entries(up).map(([node, value]) => ({ metric: 'net.up', ts, value, tags: { district: '520103', node, ...(tags[node] ?? {}) } }));
  const res = await api('/api/v1/ingest', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector: 'yunyan-edge-01', batch: `b-${ts}-${Math.random()}`, points }),
  });
  expect(res.status).toBe(202);
}

describe('topology', () => {
  it('loads the file, learns tag parents, and shows who is behind a down parent', async () => {
    const t = Date.now() - 5000;
    await send(t, { 'gy-core': 1, 'yy-agg': 0, 'yy-acc-1': 0, 'yy-acc-2': 0 }, { 'yy-acc-2': { parent: 'yy-agg' } });
    const graph = (await (await api('/api/v1/topology')).json()) as { nodes: Array<Record<string, unknown>> };
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.node, n]));
    expect(byId['yy-agg']).toMatchObject({ parent: 'gy-core', status: 'down', configured: true });
    expect(byId['yy-acc-1']).toMatchObject({ parent: 'yy-agg', behind: 'yy-agg', configured: true });
    expect(byId['yy-acc-2']).toMatchObject({ parent: 'yy-agg', behind: 'yy-agg', configured: false, unit: '520103' });
    expect(byId['gy-core'].behind).toBeUndefined();

    await send(t + 1000, { 'gy-core': 1, 'yy-agg': 1, 'yy-acc-1': 1, 'yy-acc-2': 1 });
    const after = (await (await api('/api/v1/topology')).json()) as { nodes: Array<Record<string, unknown>> };
    expect(after.nodes.filter((n) => n.behind)).toEqual([]);
  });

  it('sets a link through the API, refuses a cycle with a 400 naming it, and deletes', async () => {
    const put = await api('/api/v1/topology/nodes/yy-acc-2', { method: 'PUT', body: JSON.stringify({ parent: 'yy-acc-1', role: 'access' }) });
    expect(put.status).toBe(200);
    const cycle = await api('/api/v1/topology/nodes/yy-agg', { method: 'PUT', body: JSON.stringify({ parent: 'yy-acc-2' }) });
    expect(cycle.status).toBe(400);
    const err = (await cycle.json()) as { error: { message: string } };
    expect(err.error.message).toMatch(/cycle/);
    const bad = await api('/api/v1/topology/nodes/yy-acc-3', { method: 'PUT', body: JSON.stringify({ parent: 'x', role: 'router' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/role/);
    const configured = (await (await api('/api/v1/topology/configured')).json()) as { nodes: Array<{ node: string; parent: string }> };
    expect(configured.nodes.find((n) => n.node === 'yy-acc-2')?.parent).toBe('yy-acc-1');
    expect((await api('/api/v1/topology/nodes/yy-acc-2', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/api/v1/topology/nodes/yy-acc-2', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses to replace a link that the file owns', async () => {
    const res = await api('/api/v1/topology', { method: 'PUT', body: JSON.stringify([{ node: 'yy-agg', parent: null }]) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/ZHUYUN_TOPOLOGY/);
  });
});

describe('topology scope (issue 14)', () => {
  it("a district user gets its unit's subtree only; ops get every unit", async () => {
    const nanming = await server.addCollector('nanming-edge-01', '520102');
    const ts = Date.now() - 1000;
    const res = await api('/api/v1/ingest', {
      method: 'POST',
      headers: { authorization: `Bearer ${nanming}` },
      body: JSON.stringify({
        collector: 'nanming-edge-01',
        batch: `nm-${ts}`,
        points: [{ metric: 'net.up', ts, value: 0, tags: { district: '520102', node: 'nm-acc-1', parent: 'gy-core', role: 'access' } }],
      }),
    });
    expect(res.status).toBe(202);
    const as = async (token: string) => {
      const r = await fetch(`${server.url}/api/v1/topology`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      return ((await r.json()) as { nodes: Array<{ node: string; unit?: string }> }).nodes;
    };
    const yunyan = await as(await server.login('district', { district: '520103' }));
    expect(yunyan.length).toBeGreaterThan(0);
    expect(yunyan.every((n) => n.unit === '520103')).toBe(true);
    expect(yunyan.map((n) => n.node)).not.toContain('nm-acc-1');
    const nanmingUser = await as(await server.login('district', { district: '520102' }));
    expect(nanmingUser.map((n) => n.node)).toEqual(['nm-acc-1']);
    const all = ((await (await api('/api/v1/topology')).json()) as { nodes: Array<{ node: string }> }).nodes.map((n) => n.node);
    expect(all).toEqual(expect.arrayContaining(['nm-acc-1', 'yy-agg']));
  });
});

describe('a bad topology file', () => {
  it('stops the start with a message naming the file and the entry', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ nodes: [{ node: 'a', parent: 'b' }, { node: 'b', parent: 'a' }] }));
    await expect(startTestServer({ ZHUYUN_TOPOLOGY: bad })).rejects.toThrow(/bad\.json: node a: its parents form a cycle/);
  });
});
