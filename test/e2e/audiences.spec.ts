// Issue 15, items 7 and 17: what an operator and a district user may see. An operator reads the
// live status and the alerts of what its contracts cover (and acknowledges those alerts: the SLA's
// response time runs to the acknowledgement); a district user reads its own unit's alerts, SLA and
// maintenance windows. Both over HTTP and over a real socket.io client, with the attacker's
// requests for another unit refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AlertsLiveData } from '@zhuyun/protocol';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** The district user and the operator's contract are of 520103 (Yunyan); the foreign data is 520102's (Nanming). */
const OWN = '520103';
const FOREIGN = '520102';
const OPERATOR = '中国电信贵阳分公司';
const json = { 'content-type': 'application/json' };
const ownNode = 'yy-aud-1';
const foreignNode = 'nm-aud-1';

let server: TestServer;
const tokens = { district: '', operator: '', foreignDistrict: '' };
const ids = { ownAlert: '', foreignAlert: '', ownContract: '', foreignContract: '', ownWindow: '', cityWindow: '', foreignWindow: '' };

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await server.api(path, { method, headers: body === undefined ? {} : json, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function as(token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : json) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function ingest(collector: string, token: string, district: string, node: string) {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector, batch: `${collector}:${node}:${Date.now()}`, points: [{ metric: 'aud.probe', ts: Date.now(), value: 5, tags: { district, node } }] }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  server = await startTestServer();
  tokens.district = await server.login('district', { district: OWN });
  tokens.foreignDistrict = await server.login('district', { district: FOREIGN });
  tokens.operator = await server.login('operator', { operator: OPERATOR });
  await admin('POST', '/api/v1/alert-rules', { name: 'audience probe', metric: 'aud.probe', comparison: '>=', threshold: 1, severity: 'P3' });
  await ingest('yy-aud-edge', await server.addCollector('yy-aud-edge', OWN), OWN, ownNode);
  await ingest('nm-aud-edge', await server.addCollector('nm-aud-edge', FOREIGN), FOREIGN, foreignNode);
  for (let i = 0; i < 100 && (!ids.ownAlert || !ids.foreignAlert); i++) {
    const list = (await admin('GET', '/api/v1/alerts?state=open')) as unknown as Array<{ id: string; node: string }>;
    ids.ownAlert = list.find((a) => a.node === ownNode)?.id ?? '';
    ids.foreignAlert = list.find((a) => a.node === foreignNode)?.id ?? '';
    if (!ids.ownAlert || !ids.foreignAlert) await new Promise((r) => setTimeout(r, 100));
  }
  expect(ids.ownAlert && ids.foreignAlert).toBeTruthy();
  // The operator's contract covers Yunyan's extranet; a contract of both units names another operator.
  ids.ownContract = (await admin('POST', '/api/v1/sla/contracts', { operator: OPERATOR, services: [`extranet:${OWN}`], targetPct: 99.9 })).id as string;
  ids.foreignContract = (await admin('POST', '/api/v1/sla/contracts', { operator: '中国联通贵阳分公司', services: [`extranet:${FOREIGN}`, `extranet:${OWN}`], targetPct: 99.5 })).id as string;
  const start = Date.now() + 86_400_000;
  const window = (title: string, services: string[], districts: string[] = []) => ({ title, services, districts, schedule: { kind: 'once', start, end: start + 3_600_000 } });
  ids.ownWindow = (await admin('POST', '/api/v1/maintenance-windows', window('云岩割接', [], [OWN]))).id as string;
  ids.cityWindow = (await admin('POST', '/api/v1/maintenance-windows', window('共享平台升级', ['share']))).id as string;
  ids.foreignWindow = (await admin('POST', '/api/v1/maintenance-windows', window('南明割接', [`extranet:${FOREIGN}`]))).id as string;
}, 60_000);
afterAll(() => server?.close());

const alertIds = (body: unknown) => (body as Array<{ id: string }>).map((a) => a.id);

/** A socket of `token` that subscribed `topics`; the `alerts` data it holds once its snapshot came. */
async function watch(token: string, topics: string[]) {
  const client = new LiveTestClient(server.url, token);
  await client.connected();
  const ack = await client.subscribe(topics);
  for (let i = 0; i < 100 && !ack.subscribed.every((t) => client.snapshots.some((f) => f.topic === t)); i++) await new Promise((r) => setTimeout(r, 50));
  return { client, ack };
}
const heldAlerts = (client: LiveTestClient) => (client.held.get('alerts')?.data as AlertsLiveData | undefined)?.open.map((a) => a.node) ?? null;

describe('an operator (item 7): live status and alerts of what its contracts cover', () => {
  it('lists the alerts of its contracts\' units, refuses another unit\'s, and acknowledges its own', async () => {
    const list = await as(tokens.operator, '/api/v1/alerts?state=open');
    expect(list.status).toBe(200);
    expect(alertIds(list.body)).toContain(ids.ownAlert);
    expect(alertIds(list.body)).not.toContain(ids.foreignAlert);
    expect((await as(tokens.operator, `/api/v1/alerts?district=${FOREIGN}`)).status).toBe(403);
    expect((await as(tokens.operator, `/api/v1/alerts?node=${foreignNode}`)).status).toBe(403);
    expect((await as(tokens.operator, `/api/v1/alerts?district=${OWN}`)).status).toBe(200);
    expect((await as(tokens.operator, `/api/v1/alerts/${ids.foreignAlert}`)).status).toBe(403);
    expect((await as(tokens.operator, `/api/v1/alerts/${ids.ownAlert}`)).status).toBe(200);
    expect((await as(tokens.operator, `/api/v1/alerts/${ids.foreignAlert}/deliveries`)).status).toBe(403);
    expect((await as(tokens.operator, '/api/v1/alert-rules')).status).toBe(200);
    // Its live status view's charts: the series of its units, not another's.
    const series = await as(tokens.operator, `/api/v1/series?metric=aud.probe&unit=${OWN}`);
    expect(series.status).toBe(200);
    expect((series.body as { series: Array<{ tags: { node: string } }> }).series.map((x) => x.tags.node)).toEqual([ownNode]);
    expect((await as(tokens.operator, `/api/v1/series?metric=aud.probe&unit=${FOREIGN}`)).status).toBe(403);
    expect((await as(tokens.operator, `/api/v1/series?metric=aud.probe&node=${foreignNode}`)).status).toBe(403);
    // Acknowledging is its job for its alerts (the SLA's time to acknowledge), not for another's.
    expect((await as(tokens.operator, `/api/v1/alerts/${ids.foreignAlert}/ack`, { method: 'POST', body: { comment: 'not mine' } })).status).toBe(403);
    const ack = await as(tokens.operator, `/api/v1/alerts/${ids.ownAlert}/ack`, { method: 'POST', body: { comment: '已派单' } });
    expect(ack.status).toBe(200);
    expect((ack.body as { ack: { by: string } }).ack.by).toMatch(/^test-operator-/);
    // Silences stay with ops.
    expect((await as(tokens.operator, '/api/v1/silences', { method: 'POST', body: { matchers: { district: OWN }, endsAt: Date.now() + 60_000, comment: 'x' } })).status).toBe(403);
  });

  it('acknowledges an outage group only as far as its contracts cover it', async () => {
    const open = (await admin('GET', '/api/v1/alerts?state=open')) as unknown as Array<{ id: string; group?: string; ack: unknown }>;
    const groupOf = (id: string) => open.find((a) => a.id === id)?.group;
    expect(groupOf(ids.foreignAlert)).toBeTruthy();
    // Another unit's outage: nothing of it is the operator's, so there is no group to acknowledge.
    expect((await as(tokens.operator, `/api/v1/alerts/groups/${groupOf(ids.foreignAlert)}/ack`, { method: 'POST', body: {} })).status).toBe(404);
    expect(((await admin('GET', `/api/v1/alerts/${ids.foreignAlert}`)) as { ack: unknown }).ack).toBeNull();
    // Its own (already acknowledged one by one above): said so, not acknowledged twice.
    const own = await as(tokens.operator, `/api/v1/alerts/groups/${groupOf(ids.ownAlert)}/ack`, { method: 'POST', body: {} });
    expect(own.status).toBe(200);
    expect((own.body as { already: string[] }).already).toContain(ids.ownAlert);
    // A district user reads, never acknowledges.
    expect((await as(tokens.district, `/api/v1/alerts/groups/${groupOf(ids.ownAlert)}/ack`, { method: 'POST', body: {} })).status).toBe(403);
  });

  it('watches its units and their nodes and its part of alerts over the socket, not the city or another unit', async () => {
    const { client, ack } = await watch(tokens.operator, ['alerts', `district:${OWN}`, `node:${ownNode}`, `district:${FOREIGN}`, `node:${foreignNode}`, 'overview', 'sla']);
    expect(ack.subscribed.sort()).toEqual(['alerts', `district:${OWN}`, `node:${ownNode}`].sort());
    expect(ack.rejected.map((r) => r.topic).sort()).toEqual([`district:${FOREIGN}`, `node:${foreignNode}`, 'overview', 'sla'].sort());
    expect(heldAlerts(client)).toEqual([ownNode]);
    client.close();
  });
});

describe('a district user (item 17): its own alerts, SLA and maintenance windows, read only', () => {
  it('reads its unit\'s SLA: its service, the contracts covering it (its service only), its days; not another unit\'s', async () => {
    const services = await as(tokens.district, '/api/v1/sla/services');
    expect(services.status).toBe(200);
    expect((services.body as { services: Array<{ id: string }> }).services.map((s) => s.id)).toEqual([`extranet:${OWN}`]);
    const contracts = await as(tokens.district, '/api/v1/sla/contracts');
    expect(contracts.status).toBe(200);
    const cs = (contracts.body as { contracts: Array<{ id: string; services: string[] }> }).contracts;
    expect(cs.map((c) => c.id).sort()).toEqual([ids.ownContract, ids.foreignContract].sort());
    for (const c of cs) expect(c.services).toEqual([`extranet:${OWN}`]);
    const summary = await as(tokens.district, `/api/v1/sla/contracts/${ids.foreignContract}/summary`);
    expect(summary.status).toBe(200);
    expect((summary.body as { services: Array<{ service: string }> }).services.map((s) => s.service)).toEqual([`extranet:${OWN}`]);
    expect(summary.text).not.toContain(`extranet:${FOREIGN}`);
    expect((await as(tokens.district, `/api/v1/sla/services/extranet:${OWN}/days`)).status).toBe(200);
    expect((await as(tokens.district, `/api/v1/sla/services/extranet:${FOREIGN}/days`)).status).toBe(403);
    expect((await as(tokens.district, `/api/v1/sla/services/extranet:${FOREIGN}/minutes`)).status).toBe(403);
    const units = await as(tokens.district, '/api/v1/sla/units');
    expect((units.body as { units: Array<{ unit: string }> }).units.map((u) => u.unit)).toEqual([OWN]);
    // Read only: no acknowledging, no reclassifying, no window requests, no report of the whole contract.
    expect((await as(tokens.district, `/api/v1/sla/contracts/${ids.ownContract}/report`)).status).toBe(403);
    expect((await as(tokens.district, '/api/v1/maintenance-windows', { method: 'POST', body: { title: 'x', services: [`extranet:${OWN}`], schedule: { kind: 'once', start: Date.now() + 864e5, end: Date.now() + 865e5 } } })).status).toBe(403);
    // The other district's user gets the other unit, not this one.
    const other = await as(tokens.foreignDistrict, '/api/v1/sla/services');
    expect((other.body as { services: Array<{ id: string }> }).services.map((s) => s.id)).toEqual([`extranet:${FOREIGN}`]);
  });

  it('reads the maintenance windows covering its unit or the city, not another unit\'s', async () => {
    const r = await as(tokens.district, '/api/v1/maintenance-windows');
    expect(r.status).toBe(200);
    const listed = (r.body as { windows: Array<{ id: string }> }).windows.map((w) => w.id);
    expect(listed.sort()).toEqual([ids.ownWindow, ids.cityWindow].sort());
    expect((await as(tokens.district, `/api/v1/maintenance-windows/${ids.ownWindow}`)).status).toBe(200);
    expect((await as(tokens.district, `/api/v1/maintenance-windows/${ids.foreignWindow}`)).status).toBe(404);
  });

  it('may not acknowledge its alerts (read only) and gets 403 for another unit\'s alerts', async () => {
    expect((await as(tokens.district, `/api/v1/alerts/${ids.ownAlert}/ack`, { method: 'POST', body: {} })).status).toBe(403);
    expect((await as(tokens.district, `/api/v1/alerts?district=${FOREIGN}`)).status).toBe(403);
    expect((await as(tokens.district, `/api/v1/alerts/${ids.foreignAlert}`)).status).toBe(403);
  });

  it('gets only its unit\'s alerts on the live alerts topic, and the attacker\'s topics are refused', async () => {
    const { client, ack } = await watch(tokens.district, ['alerts', `district:${OWN}`, `district:${FOREIGN}`, `node:${foreignNode}`, 'overview', `alerts@d:${FOREIGN}|`]);
    expect(ack.subscribed.sort()).toEqual(['alerts', `district:${OWN}`].sort());
    expect(ack.rejected.map((r) => r.topic).sort()).toEqual([`alerts@d:${FOREIGN}|`, `district:${FOREIGN}`, `node:${foreignNode}`, 'overview'].sort());
    expect(heldAlerts(client)).toEqual([ownNode]);
    // A new alert of the other unit changes nothing on this socket; a new one of its own comes in a frame.
    await admin('POST', '/api/v1/alert-rules', { name: 'audience probe 2', metric: 'aud.probe', comparison: '>=', threshold: 2, severity: 'P2' });
    await ingest('nm-aud-edge-2', await server.addCollector('nm-aud-edge-2', FOREIGN), FOREIGN, foreignNode);
    await ingest('yy-aud-edge-2', await server.addCollector('yy-aud-edge-2', OWN), OWN, ownNode);
    const frame = await client.waitForFrame<AlertsLiveData>((f) => f.topic === 'alerts' && f.data.open.length === 2);
    expect(frame.data.open.map((a) => a.node)).toEqual([ownNode, ownNode]);
    const all = JSON.stringify([client.snapshots, client.frames]);
    expect(all).not.toContain(foreignNode);
    expect(all).not.toContain(ids.foreignAlert);
    // The whole city's topic goes on for ops: the scoped room is not the topic.
    const ops = await watch(await server.login('ops'), ['alerts']);
    expect(heldAlerts(ops.client)?.sort()).toEqual(expect.arrayContaining([ownNode, foreignNode]));
    ops.client.close();
    client.close();
  });
});
