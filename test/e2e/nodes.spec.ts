// Issue 14 "Nodes are things with names": the node registry over the real server — list with
// filters, paging and total; a district user's scope; CSV import all-or-nothing and row-by-row with
// errors naming row and column; export round trip; unregistered nodes accepted or refused; retire;
// a stale node not greying its district; revoking a collector retires the nodes only it reported.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AlertWithRule, NodeImportReport, NodePathResponse, NodeRecord, NodesResponse } from '@zhuyun/protocol';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
/** The server's clock: real time plus what a test moves it on (staleness without waiting). */
let offset = 0;
const clock = { now: () => Date.now() + offset };
let nanming: string;
let solo: string;
const json = { 'content-type': 'application/json' };

const REGISTRY = [
  '节点编号,节点名称,层级,上级节点,所属区县,行政区划代码,所属部门,地址,运维单位,合同编号',
  'nm-core,南明区汇聚节点,unit,,520102,,,,贵州电信,HT-2026-001',
  'nm-t1,新华路街道,乡镇级,nm-core,南明区,520102001,,贵阳市南明区新华路1号,贵州电信,HT-2026-001',
  'nm-v1,新华路社区,village,nm-t1,520102,520102001001,,,,',
  'yy-core,云岩区汇聚节点,unit,,520103,,,,贵州移动,',
  'yy-t1,中华路街道,township,yy-core,520103,520103001,,,,',
  'solo-1,独立节点,township,,520103,520103002,,,,',
].join('\r\n');
/** Row 3 (a township with a 12-digit code) and row 4 (an unknown level) are bad. */
const BAD = [
  '节点编号,节点名称,层级,所属区县,行政区划代码',
  'x-1,好节点,township,520102,520102003',
  'x-2,坏代码,township,520102,520102003001',
  'x-3,坏层级,province,520102,',
].join('\n');

beforeAll(async () => {
  server = await startTestServer({ ZHUYUN_NODE_STALE_AFTER: '5m' }, { clock });
  nanming = await server.addCollector('nanming-edge-01', '520102');
  solo = await server.addCollector('solo-edge-01', '520103');
});
afterAll(() => server.close());

function ingest(token: string, collector: string, points: Array<{ metric: string; value: number; node: string; district: string }>) {
  return fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector, batch: `b-${Math.random()}`, points: points.map((p) => ({ metric: p.metric, value: p.value, ts: clock.now() - 500, tags: { district: p.district, node: p.node } })) }),
  });
}

function importCsv(text: string, mode?: string) {
  return server.api(`/api/v1/nodes/import${mode ? `?mode=${mode}` : ''}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: text });
}

async function list(query = '', token?: string): Promise<NodesResponse> {
  const res = await fetch(`${server.url}/api/v1/nodes${query}`, { headers: { authorization: `Bearer ${token ?? server.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as NodesResponse;
}

async function node(id: string): Promise<NodeRecord> {
  const res = await server.api(`/api/v1/nodes/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as NodeRecord;
}

const post = (path: string, body: unknown, token = server.token) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { ...json, authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

async function rejectedByReason(reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^zhuyun_ingest_rejected_points_total\\{reason="${reason}"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never: ${what}`);
}

describe('CSV import: the migration import\'s rules', () => {
  it('all-or-nothing: one bad row stores nothing, and every error names its row and column', async () => {
    const res = await importCsv(BAD);
    expect(res.status).toBe(400);
    const { error: body } = (await res.json()) as { error: { message: string; details: NodeImportReport } };
    expect(body.message).toBe('2 of 3 rows have errors: nothing was stored (mode all-or-nothing)');
    expect(body.details).toMatchObject({ stored: false, rows: 3, created: 0, failed: 2 });
    expect(body.details.errors).toEqual([
      { row: 3, column: '行政区划代码', message: "a township's division code has 9 digits, not 12" },
      { row: 4, column: '层级', message: expect.stringMatching(/^"province" is not a level: city\/市级, unit\/区县级, township/) },
    ]);
    expect((await list()).total).toBe(0);
  });

  it('row-by-row: the good rows are stored, the bad ones reported', async () => {
    const res = await importCsv(BAD, 'row-by-row');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: true, rows: 3, created: 1, failed: 2, errors: [{ row: 3 }, { row: 4 }] });
    expect(await node('x-1')).toMatchObject({ name: '好节点', level: 'township', unit: '520102', adminCode: '520102003', registered: true, state: 'active' });
  });

  it('refuses a header it cannot read in either mode, and a parent that is nowhere', async () => {
    const res = await importCsv('名称,颜色\nfoo,red', 'row-by-row');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^the CSV cannot be read: unknown column "颜色"/);
    const orphan = await importCsv('节点编号,节点名称,层级,所属区县,上级节点\nx-9,孤儿,village,520102,nowhere-1');
    expect(((await orphan.json()) as { error: { details: NodeImportReport } }).error.details.errors).toEqual([{ row: 2, column: '上级节点', message: 'node nowhere-1 is neither in the registry nor in this file' }]);
  });

  it('imports the registry (Chinese levels and unit names read), and an export re-imports unchanged', async () => {
    const res = await importCsv(REGISTRY);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: true, created: 6, failed: 0 });
    expect(await node('nm-t1')).toMatchObject({ name: '新华路街道', level: 'township', unit: '520102', parent: 'nm-core', address: '贵阳市南明区新华路1号', operator: '贵州电信', contract: 'HT-2026-001' });
    const exported = await server.api('/api/v1/nodes/export');
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await exported.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM: Excel reads it as UTF-8
    const text = bytes.toString('utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFF节点编号,节点名称,层级,上级节点,所属区县,行政区划代码,所属部门,地址,运维单位,合同编号,状态');
    const again = await importCsv(text);
    expect(await again.json()).toMatchObject({ stored: true, rows: 7, created: 0, updated: 0, unchanged: 7, failed: 0 });
  });

  it('an import that moves a node moves it for ingest too (node_units is the one truth)', async () => {
    // x-1 reports from 520102 first: ingest holds its unit (cached).
    const first = await ingest(nanming, 'nanming-edge-01', [{ metric: 'net.up', value: 1, node: 'x-1', district: '520102' }]);
    expect(await first.json()).toMatchObject({ accepted: 1, rejected: [] });
    const res = await importCsv('节点编号,所属区县\nx-1,520103');
    expect(await res.json()).toMatchObject({ updated: 1 });
    const r = await ingest(nanming, 'nanming-edge-01', [{ metric: 'net.up', value: 1, node: 'x-1', district: '520102' }]);
    expect(((await r.json()) as { rejected: Array<{ error: string }> }).rejected[0].error).toMatch(/^node x-1 belongs to unit 520103, not 520102/);
  });
});

describe('GET /api/v1/nodes', () => {
  it('filters by unit, level and q, pages, and gives the total; by unit, then name (pinyin), then id', async () => {
    const all = await list();
    expect(all.total).toBe(7);
    expect(all.nodes.map((n) => n.id)).toEqual(['nm-core', 'nm-t1', 'nm-v1', 'solo-1', 'x-1', 'yy-core', 'yy-t1']);
    expect((await list('?unit=520102')).nodes.map((n) => n.name)).toEqual(['南明区汇聚节点', '新华路街道', '新华路社区']);
    expect((await list('?level=township')).total).toBe(4);
    expect((await list('?q=新华')).nodes.map((n) => n.id)).toEqual(['nm-t1', 'nm-v1']);
    expect((await list('?q=HT-2026')).total).toBe(2);
    const page = await list('?unit=520102&limit=1&offset=1');
    expect(page).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(page.nodes.map((n) => n.id)).toEqual(['nm-t1']);
  });

  it('says what is wrong with a bad query', async () => {
    const res = await server.api('/api/v1/nodes?level=province&limit=0');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^bad nodes query: level: .*; limit: /);
  });

  it('a district user sees its own unit only', async () => {
    const yunyan = await server.login('district', { district: '520103' });
    const own = await list('', yunyan);
    expect(own.nodes.map((n) => n.id).sort()).toEqual(['solo-1', 'x-1', 'yy-core', 'yy-t1']);
    const other = await fetch(`${server.url}/api/v1/nodes?unit=520102`, { headers: { authorization: `Bearer ${yunyan}` } });
    expect(other.status).toBe(403);
    const one = await fetch(`${server.url}/api/v1/nodes/nm-t1`, { headers: { authorization: `Bearer ${yunyan}` } });
    expect(one.status).toBe(403);
    expect((await fetch(`${server.url}/api/v1/nodes/yy-t1`, { headers: { authorization: `Bearer ${yunyan}` } })).status).toBe(200);
    // Only an admin imports; ops do not.
    const ops = await server.login('ops');
    const imp = await fetch(`${server.url}/api/v1/nodes/import`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${ops}` }, body: REGISTRY });
    expect(imp.status).toBe(403);
  });
});

describe('the node page\'s reads: its path and its alerts', () => {
  it('GET /nodes/:id/path: the node first, then each parent to the root, each hop with its live status', async () => {
    // nm-t1 down, nm-v1 up (the parents are the registry's: these points name none); nm-core silent.
    const r = await ingest(nanming, 'nanming-edge-01', [
      { metric: 'net.up', value: 1, node: 'nm-v1', district: '520102' },
      { metric: 'net.up', value: 0, node: 'nm-t1', district: '520102' },
    ]);
    expect(await r.json()).toMatchObject({ accepted: 2, rejected: [] });
    const path = await until(
      async () => (await (await server.api('/api/v1/nodes/nm-v1/path')).json()) as NodePathResponse,
      (p) => p.hops?.[1]?.status === 'down',
      'nm-t1 down on the path',
    );
    expect(path.node).toBe('nm-v1');
    expect(path.cut).toBeNull();
    expect(path.hops.map((h) => [h.id, h.name, h.level, h.unit, h.status])).toEqual([
      ['nm-v1', '新华路社区', 'village', '520102', 'up'],
      ['nm-t1', '新华路街道', 'township', '520102', 'down'],
      ['nm-core', '南明区汇聚节点', 'unit', '520102', null],
    ]);
    expect(path.hops[0].lastSeen).toEqual(expect.any(Number));
    expect(path.hops[2].lastSeen).toBeNull();
  });

  it('a path is 404 for a node nobody knows and 403 for another district\'s node', async () => {
    const none = await server.api('/api/v1/nodes/no-such-node/path');
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { message: string } }).error.message).toBe('node no-such-node is neither registered nor reporting');
    const yunyan = await server.login('district', { district: '520103' });
    const get = (id: string) => fetch(`${server.url}/api/v1/nodes/${id}/path`, { headers: { authorization: `Bearer ${yunyan}` } });
    expect((await get('nm-v1')).status).toBe(403);
    const own = await get('yy-t1');
    expect(own.status).toBe(200);
    expect(((await own.json()) as NodePathResponse).hops.map((h) => h.id)).toEqual(['yy-t1', 'yy-core']);
  });

  it('GET /alerts?node= gives that node\'s alerts only, and is scoped by the node', async () => {
    const rule = await post('/api/v1/alert-rules', { name: 'path probe', metric: 'path.probe', comparison: '>=', threshold: 1, severity: 'P3' });
    expect(rule.status).toBeLessThan(300);
    await ingest(nanming, 'nanming-edge-01', [
      { metric: 'path.probe', value: 5, node: 'nm-v1', district: '520102' },
      { metric: 'path.probe', value: 5, node: 'nm-t1', district: '520102' },
    ]);
    const alerts = await until(
      async () => (await (await server.api('/api/v1/alerts?node=nm-v1')).json()) as AlertWithRule[],
      (a) => a.length > 0,
      'an alert of nm-v1',
    );
    expect(new Set(alerts.map((a) => a.node))).toEqual(new Set(['nm-v1']));
    expect(((await (await server.api('/api/v1/alerts?node=nm-t1')).json()) as AlertWithRule[]).every((a) => a.node === 'nm-t1')).toBe(true);
    const yunyan = await server.login('district', { district: '520103' });
    expect((await fetch(`${server.url}/api/v1/alerts?node=nm-v1`, { headers: { authorization: `Bearer ${yunyan}` } })).status).toBe(403);
  });
});

describe('unregistered, refused, retired', () => {
  it('lists a node that reports unregistered; ops accept one and refuse another, whose points are then refused with the reason, counted', async () => {
    const res = await ingest(nanming, 'nanming-edge-01', [
      { metric: 'net.up', value: 1, node: 'rogue-1', district: '520102' },
      { metric: 'net.up', value: 1, node: 'newbie-1', district: '520102' },
      { metric: 'net.up', value: 1, node: 'nm-core', district: '520102' },
    ]);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [] });
    const un = await list('?registered=false');
    expect(un.nodes.map((n) => [n.id, n.state, n.unit, n.live?.status])).toEqual([['newbie-1', 'unregistered', '520102', 'up'], ['rogue-1', 'unregistered', '520102', 'up']]);
    expect((await list('?status=unregistered')).total).toBe(2);

    const ops = await server.login('ops');
    const accepted = await post('/api/v1/nodes/newbie-1/accept', { name: '新接入节点', level: 'village' }, ops);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ id: 'newbie-1', name: '新接入节点', registered: true, state: 'active', unit: '520102' });
    expect((await post('/api/v1/nodes/rogue-1/refuse', {}, ops)).status).toBe(400); // a reason is required
    const refused = await post('/api/v1/nodes/rogue-1/refuse', { reason: '非本单位设备' }, ops);
    // Refused: out of the live state at once (its points are refused, it would only grey 520102).
    expect(await refused.json()).toMatchObject({ state: 'refused', stateReason: '非本单位设备', live: null });
    expect((await post('/api/v1/nodes/nm-core/refuse', { reason: 'x' }, ops)).status).toBe(409); // registered: retire it

    const before = await rejectedByReason('node_refused');
    const again = await ingest(nanming, 'nanming-edge-01', [
      { metric: 'net.up', value: 1, node: 'rogue-1', district: '520102' },
      { metric: 'net.up', value: 1, node: 'newbie-1', district: '520102' },
    ]);
    expect(await again.json()).toEqual({ accepted: 1, rejected: [{ index: 0, error: 'node rogue-1 was refused by ops (非本单位设备): its points are refused' }] });
    expect(await rejectedByReason('node_refused')).toBe(before + 1);
    expect((await list('?registered=false')).total).toBe(0);
  });

  it('an admin retires a node: its points are refused with the reason; ops may not retire', async () => {
    const ops = await server.login('ops');
    expect((await post('/api/v1/nodes/nm-v1/retire', {}, ops)).status).toBe(403);
    const res = await post('/api/v1/nodes/nm-v1/retire', { reason: '设备拆除' });
    expect(await res.json()).toMatchObject({ state: 'retired', stateReason: '设备拆除' });
    expect((await list('?status=retired')).nodes.map((n) => n.id)).toEqual(['nm-v1']);
    const r = await ingest(nanming, 'nanming-edge-01', [{ metric: 'net.up', value: 1, node: 'nm-v1', district: '520102' }]);
    expect(await r.json()).toEqual({ accepted: 0, rejected: [{ index: 0, error: 'node nm-v1 is retired (设备拆除): its points are refused' }] });
    const audit = (await (await server.api('/api/v1/audit?format=json')).json()) as { records: Array<{ action: string; target: string }> };
    expect(audit.records.filter((a) => a.action === 'node.retire').map((a) => a.target)).toContain('nm-v1');
  });

  it('revoking a collector retires the registered nodes only it reported', async () => {
    // solo-edge-01 reports solo-1 alone and yy-t1 with yunyan's other collector.
    const other = await server.addCollector('yunyan-edge-02', '520103');
    await ingest(solo, 'solo-edge-01', [
      { metric: 'net.up', value: 1, node: 'solo-1', district: '520103' },
      { metric: 'net.up', value: 1, node: 'yy-t1', district: '520103' },
    ]);
    await ingest(other, 'yunyan-edge-02', [{ metric: 'net.up', value: 1, node: 'yy-t1', district: '520103' }]);
    const res = await server.api('/api/v1/collectors/solo-edge-01', { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await node('solo-1')).toMatchObject({ state: 'retired', stateReason: 'collector solo-edge-01 was revoked and no other collector reports it', live: null });
    expect((await node('yy-t1')).state).toBe('active');
  });
});

describe('stale nodes (ZHUYUN_NODE_STALE_AFTER=5m)', () => {
  it('a node silent past the stale time is shown apart and does not grey its district', async () => {
    await ingest(nanming, 'nanming-edge-01', [
      { metric: 'net.up', value: 1, node: 'nm-core', district: '520102' },
      { metric: 'net.up', value: 1, node: 'nm-t1', district: '520102' },
      { metric: 'net.up', value: 1, node: 'newbie-1', district: '520102' },
    ]);
    offset += 6 * 60_000; // six minutes on: nm-t1 and newbie-1 fall silent, nm-core goes on
    const r = await ingest(nanming, 'nanming-edge-01', [{ metric: 'net.up', value: 1, node: 'nm-core', district: '520102' }]);
    expect(await r.json()).toMatchObject({ accepted: 1 });
    const t1 = await until(() => node('nm-t1'), (n) => n.live?.stale === true, 'nm-t1 stale');
    expect(t1.live).toMatchObject({ stale: true, status: 'unknown' });
    expect((await node('nm-core')).live).toMatchObject({ stale: false, status: 'up' });
    const stale = (await list('?status=stale&unit=520102')).nodes.map((n) => n.id);
    expect(stale).toEqual(expect.arrayContaining(['newbie-1', 'nm-t1']));
    expect(stale).not.toContain('nm-core');
    const districts = (await (await server.api('/api/v1/districts')).json()) as { units: Array<{ code: string; status: string; stale?: number; counts: Record<string, number> }> };
    const nm = districts.units.find((u) => u.code === '520102')!;
    // Without the stale rule the silent nodes are `unknown` and the district grey. (The live count
    // may hold one more: x-1, moved to 520103 by import, stays in 520102's live list until it
    // reports from 520103, as after PUT /nodes/:node/unit.)
    expect(nm).toMatchObject({ status: 'up', counts: { up: 1, unknown: 0 } });
    expect(nm.stale).toBeGreaterThanOrEqual(stale.length);
  });
});
