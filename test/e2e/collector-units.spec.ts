// Issue 13 item 2, "A collector writes only where it stands": over POST /api/v1/ingest and POST /write
// a collector of 520103 tried to mark a node of 520102 down, to overwrite a stored point of 520102
// and to move a node of 520102 into 520103 — and could. Now each such point is refused with its
// reason (the batch's good points kept); a collector registered for several units writes there; a
// point never moves a known node; an admin does.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let yunyan: string; // collector A, 520103
let nanming: string; // collector B, 520102
const json = { 'content-type': 'application/json' };
/** The stored point of 520102 that A tries to overwrite (a fixed instant, in the past minute). */
const T0 = Date.now() - 30_000;

beforeAll(async () => {
  server = await startTestServer();
  yunyan = await server.addCollector('yunyan-edge-01', '520103');
  nanming = await server.addCollector('nanming-edge-01', '520102');
  // B reports its core node: up, 2.59 ms at T0.
  const res = await ingest(nanming, 'nanming-edge-01', 'nm:1', [
    { metric: 'net.up', ts: T0, value: 1, tags: { district: '520102', node: 'nm-core-1' } },
    { metric: 'net.latency_ms', ts: T0, value: 2.59, tags: { district: '520102', node: 'nm-core-1', target: 'city-core' } },
  ]);
  expect(await res.json()).toEqual({ accepted: 2, rejected: [] });
});
afterAll(() => server.close());

function ingest(token: string, collector: string, batch: string, points: unknown[]) {
  return fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector, batch, points }),
  });
}

function write(token: string, body: string) {
  return fetch(`${server.url}/write?db=zhuyun&precision=ms`, { method: 'POST', headers: { authorization: `Token ${token}` }, body });
}

async function latency(node: string): Promise<number[][]> {
  const res = await server.api(`/api/v1/series?metric=net.latency_ms&node=${node}&from=${T0 - 60_000}&to=${Date.now() + 60_000}`);
  const body = (await res.json()) as { series: Array<{ tags: Record<string, string>; points: number[][] }> };
  return body.series.flatMap((s) => s.points);
}

async function topologyNode(node: string): Promise<{ unit?: string; status: string } | undefined> {
  const body = (await (await server.api('/api/v1/topology')).json()) as { nodes: Array<{ node: string; unit?: string; status: string }> };
  return body.nodes.find((n) => n.node === node);
}

async function nodesOf(unit: string): Promise<number | undefined> {
  const body = (await (await server.api('/api/v1/districts')).json()) as { units: Array<{ code: string; nodes: number }> };
  return body.units.find((u) => u.code === unit)?.nodes;
}

async function rejectedByReason(reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^zhuyun_ingest_rejected_points_total\\{reason="${reason}"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const now = () => Date.now() - 1_000;

describe('a collector writes only where it stands: POST /api/v1/ingest', () => {
  it('refuses, point by point, A marking a node of 520102 down, overwriting its point and moving it; A\'s own point is kept', async () => {
    const scopeBefore = await rejectedByReason('unit_scope');
    const nodeBefore = await rejectedByReason('node_unit');
    const res = await ingest(yunyan, 'yunyan-edge-01', 'yy:attack', [
      { metric: 'net.up', ts: now(), value: 0, tags: { district: '520102', node: 'nm-core-1' } },
      { metric: 'net.latency_ms', ts: T0, value: 777, tags: { district: '520102', node: 'nm-core-1', target: 'city-core' } },
      { metric: 'net.up', ts: now(), value: 0, tags: { district: '520103', node: 'nm-core-1' } },
      { metric: 'net.up', ts: now(), value: 1, tags: { district: '520103', node: 'yy-core-1' } },
    ]);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: Array<{ index: number; error: string }> };
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      { index: 0, error: expect.stringMatching(/^unit 520102 is not among the units of collector yunyan-edge-01 \(520103\): an admin registers .* --units/) },
      { index: 1, error: expect.stringMatching(/^unit 520102 is not among the units of collector yunyan-edge-01/) },
      { index: 2, error: 'node nm-core-1 belongs to unit 520102, not 520103: a point does not move a node; an admin does (PUT /api/v1/nodes/nm-core-1/unit)' },
    ]);
    // Nothing of it took: the stored point is 2.59, the node stays up and in 520102.
    expect(await latency('nm-core-1')).toEqual([[T0, 2.59]]);
    expect(await topologyNode('nm-core-1')).toMatchObject({ unit: '520102', status: 'up' });
    expect(await topologyNode('yy-core-1')).toMatchObject({ unit: '520103' });
    // Counted by reason, as every refused point is.
    expect(await rejectedByReason('unit_scope')).toBe(scopeBefore + 2);
    expect(await rejectedByReason('node_unit')).toBe(nodeBefore + 1);
  });
});

describe('a collector writes only where it stands: POST /write', () => {
  it('refuses the same three attacks in line protocol and keeps the good line', async () => {
    const res = await write(
      yunyan,
      [
        `net,district=520102,node=nm-core-1 up=0 ${now()}`,
        `net,district=520102,node=nm-core-1,target=city-core latency_ms=777 ${T0}`,
        `net,district=520103,node=nm-core-1 up=0 ${now()}`,
        `net,district=520103,node=yy-core-2 up=1 ${now()}`,
      ].join('\n'),
    );
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/^partial write: line 1, field "up": unit 520102 is not among the units of collector yunyan-edge-01 .* dropped=3$/);
    expect(await latency('nm-core-1')).toEqual([[T0, 2.59]]);
    expect(await topologyNode('nm-core-1')).toMatchObject({ unit: '520102', status: 'up' });
    expect(await topologyNode('yy-core-2')).toMatchObject({ unit: '520103' });
  });

  it('names the move in line protocol too', async () => {
    const res = await write(yunyan, `net,district=520103,node=nm-core-1 up=0 ${now()}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      'partial write: line 1, field "up": node nm-core-1 belongs to unit 520102, not 520103: a point does not move a node; an admin does (PUT /api/v1/nodes/nm-core-1/unit) dropped=1',
    );
  });
});

describe('a collector registered for several units', () => {
  let city: string;
  let all: string;

  it('is registered by an admin with its units (POST /api/v1/collectors), listed with them, audited', async () => {
    const res = await server.api('/api/v1/collectors', { method: 'POST', headers: json, body: JSON.stringify({ id: 'city-01', district: '520115', units: ['520103', '520102'] }) });
    expect(res.status).toBe(201);
    const issued = (await res.json()) as { units: string[]; token: string };
    expect(issued.units).toEqual(['520102', '520103']);
    city = issued.token;
    const star = await server.api('/api/v1/collectors', { method: 'POST', headers: json, body: JSON.stringify({ id: 'platforms-01', district: '520115', units: '*' }) });
    all = ((await star.json()) as { token: string }).token;
    const bad = await server.api('/api/v1/collectors', { method: 'POST', headers: json, body: JSON.stringify({ id: 'bad-01', district: '520115', units: ['520199'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/units/);

    const list = (await (await server.api('/api/v1/collectors')).json()) as { collectors: Array<{ id: string; units: unknown }> };
    expect(list.collectors.find((c) => c.id === 'city-01')?.units).toEqual(['520102', '520103']);
    expect(list.collectors.find((c) => c.id === 'platforms-01')?.units).toBe('*');
    expect(list.collectors.find((c) => c.id === 'yunyan-edge-01')?.units).toEqual([]);
    const audit = (await (await server.api('/api/v1/audit?action=collector.token.issue')).json()) as { records: Array<{ target: string; after: unknown }> };
    expect(audit.records.find((r) => r.target === 'city-01')?.after).toEqual({ district: '520115', units: ['520102', '520103'] });
  });

  it('writes in its district and its units, not elsewhere; nor does it move a node, even with \'*\'', async () => {
    const res = await ingest(city, 'city-01', 'city:1', [
      { metric: 'net.up', ts: now(), value: 1, tags: { district: '520102', node: 'nm-acc-1' } },
      { metric: 'net.up', ts: now(), value: 1, tags: { district: '520103', node: 'yy-acc-1' } },
      { metric: 'net.up', ts: now(), value: 1, tags: { district: '520115', node: 'gsh-core-1' } },
      { metric: 'net.up', ts: now(), value: 1, tags: { district: '520111', node: 'hx-core-1' } },
    ]);
    const body = (await res.json()) as { accepted: number; rejected: Array<{ index: number; error: string }> };
    expect(body.accepted).toBe(3);
    expect(body.rejected).toEqual([{ index: 3, error: expect.stringMatching(/^unit 520111 is not among the units of collector city-01 \(520115, 520102, 520103\)/) }]);

    const star = await write(all, [`net,district=520111,node=hx-core-1 up=1 ${now()}`, `net,district=520103,node=nm-core-1 up=0 ${now()}`].join('\n'));
    expect(star.status).toBe(400);
    expect(((await star.json()) as { error: string }).error).toMatch(/^partial write: line 2, field "up": node nm-core-1 belongs to unit 520102, not 520103/);
    expect(await topologyNode('hx-core-1')).toMatchObject({ unit: '520111' });
    expect(await topologyNode('nm-core-1')).toMatchObject({ unit: '520102', status: 'up' });
  });
});

describe('the platforms\' collector (\'*\')', () => {
  it('reports a platform\'s figure per unit under one node id: not a node moving', async () => {
    const token = await server.addCollector('cloud-inventory-01', '520115', '*');
    const at = (district: string) => ({ metric: 'cloud.systems_running', ts: now(), value: 3, tags: { district, node: 'cloud-subplatform', platform: 'cloud' } });
    const res = await ingest(token, 'cloud-inventory-01', 'ci:1', [at('520102'), at('520103'), at('gy-hitech')]);
    expect(await res.json()).toEqual({ accepted: 3, rejected: [] });
  });
});

describe('an admin moves a node', () => {
  it('PUT /api/v1/nodes/:node/unit (admin only, audited); the node then reports from its new unit', async () => {
    const ops = await server.login('ops');
    const denied = await fetch(`${server.url}/api/v1/nodes/nm-core-1/unit`, { method: 'PUT', headers: { ...json, authorization: `Bearer ${ops}` }, body: JSON.stringify({ unit: '520103' }) });
    expect(denied.status).toBe(403);
    const bad = await server.api('/api/v1/nodes/nm-core-1/unit', { method: 'PUT', headers: json, body: JSON.stringify({ unit: 'nowhere' }) });
    expect(bad.status).toBe(400);
    expect(await nodesOf('520102')).toBe(2);
    const moved = await server.api('/api/v1/nodes/nm-core-1/unit', { method: 'PUT', headers: json, body: JSON.stringify({ unit: '520103' }) });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ node: 'nm-core-1', unit: '520103', before: '520102' });

    const res = await ingest(yunyan, 'yunyan-edge-01', 'yy:after-move', [{ metric: 'net.up', ts: now(), value: 1, tags: { district: '520103', node: 'nm-core-1' } }]);
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
    expect(await topologyNode('nm-core-1')).toMatchObject({ unit: '520103' });
    // It left 520102's nodes (nm-acc-1 remains) and no point takes it back.
    expect(await nodesOf('520102')).toBe(1);
    const old = await ingest(nanming, 'nanming-edge-01', 'nm:after-move', [{ metric: 'net.up', ts: now(), value: 1, tags: { district: '520102', node: 'nm-core-1' } }]);
    expect(((await old.json()) as { rejected: Array<{ error: string }> }).rejected[0].error).toMatch(/^node nm-core-1 belongs to unit 520103, not 520102/);
    const audit = (await (await server.api('/api/v1/audit?action=node.unit.move')).json()) as { records: Array<{ target: string; before: unknown; after: unknown }> };
    expect(audit.records[0]).toMatchObject({ target: 'nm-core-1', before: { unit: '520102' }, after: { unit: '520103' } });
  });
});
