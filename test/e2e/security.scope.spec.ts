// Scope by data (issue 13, items 1 and 8): every selector of every scoped GET route, asked with
// another district's (or operator's) value, is refused or answers without the other's data; the
// route × parameter matrix is read from the OpenAPI document the app serves, so a route or a
// parameter added later without a case here fails this test. Robot credentials stay with admin/ops.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Op = { 'x-roles': string[]; 'x-public': boolean; 'x-query-undocumented'?: boolean; 'x-reads-request'?: boolean; parameters: Array<{ name: string; in: string }> };
type Doc = { paths: Record<string, Record<string, Op>> };

/** The district user is of 520103 (Yunyan); the foreign data is 520102's (Nanming). */
const OWN = '520103';
const FOREIGN = '520102';
const SECRET = 'scope-secret-4f1c9a';
const json = { 'content-type': 'application/json' };

let server: TestServer;
let doc: Doc;
const tokens: Record<'district' | 'operator' | 'leader', string> = { district: '', operator: '', leader: '' };
/** Ids of the other district's / operator's records, made in beforeAll. */
const foreign = { alert: '', system: '', agency: '', silenceByDistrict: '', silenceByNode: '', contract: '', window: '' };
const own = { alert: '', system: '', silence: '', contract: '', channel: '' };
const ownNode = 'yy-scope-1';
const foreignNode = 'nm-scope-1';

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await server.api(path, { method, headers: body === undefined ? {} : json, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function ingest(collector: string, token: string, district: string, node: string) {
  const res = await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector, batch: `${collector}:${node}:${Date.now()}`, points: [{ metric: 'scope.probe', ts: Date.now(), value: 5, tags: { district, node } }] }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  server = await startTestServer();
  tokens.district = await server.login('district', { district: OWN });
  tokens.operator = await server.login('operator', { operator: '中国电信贵阳分公司' });
  tokens.leader = await server.login('leader');
  doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Doc;

  // Series, nodes and alerts of both districts: a rule that fires at once on scope.probe >= 1.
  await admin('POST', '/api/v1/alert-rules', { name: 'scope probe', metric: 'scope.probe', comparison: '>=', threshold: 1, severity: 'P3' });
  await ingest('yy-scope-edge', await server.addCollector('yy-scope-edge', OWN), OWN, ownNode);
  await ingest('nm-scope-edge', await server.addCollector('nm-scope-edge', FOREIGN), FOREIGN, foreignNode);
  for (let i = 0; i < 100 && (!own.alert || !foreign.alert); i++) {
    const list = (await admin('GET', '/api/v1/alerts?state=open')) as unknown as Array<{ id: string; node: string }>;
    own.alert = list.find((a) => a.node === ownNode)?.id ?? '';
    foreign.alert = list.find((a) => a.node === foreignNode)?.id ?? '';
    if (!own.alert || !foreign.alert) await new Promise((r) => setTimeout(r, 100));
  }
  expect(own.alert && foreign.alert).toBeTruthy();

  const endsAt = Date.now() + 3_600_000;
  foreign.silenceByDistrict = (await admin('POST', '/api/v1/silences', { matchers: { district: FOREIGN }, endsAt, comment: 'Nanming works' })).id as string;
  foreign.silenceByNode = (await admin('POST', '/api/v1/silences', { matchers: { node: foreignNode }, endsAt, comment: 'Nanming node' })).id as string;
  own.silence = (await admin('POST', '/api/v1/silences', { matchers: { district: OWN }, endsAt, comment: 'Yunyan works' })).id as string;

  // Disabled: a test never reaches the internet; the URL is what matters.
  own.channel = (await admin('POST', '/api/v1/notification-channels', { name: '值班群', kind: 'dingtalk', url: `https://oapi.dingtalk.com/robot/send?access_token=${SECRET}`, enabled: false })).id as string;

  const system = (agencyId: string, name: string) => ({ name, agencyId, track: 'new', fundingMode: 'fiscal_build', omCostYuan: 0, fiscalOm: false });
  foreign.agency = (await admin('POST', '/api/v1/migration/agencies', { name: '南明区测试局', unit: FOREIGN })).id as string;
  foreign.system = (await admin('POST', '/api/v1/migration/systems', system(foreign.agency, '南明测试系统'))).id as string;
  const ownAgency = (await admin('POST', '/api/v1/migration/agencies', { name: '云岩区测试局', unit: OWN })).id as string;
  own.system = (await admin('POST', '/api/v1/migration/systems', system(ownAgency, '云岩测试系统'))).id as string;

  own.contract = (await admin('POST', '/api/v1/sla/contracts', { operator: '中国电信贵阳分公司', services: [`extranet:${OWN}`], targetPct: 99.9 })).id as string;
  foreign.contract = (await admin('POST', '/api/v1/sla/contracts', { operator: '中国联通贵阳分公司', services: [`extranet:${FOREIGN}`], targetPct: 99.9 })).id as string;
  const start = Date.now() + 86_400_000;
  foreign.window = (await admin('POST', '/api/v1/maintenance-windows', { title: '联通割接', services: [`extranet:${FOREIGN}`], schedule: { kind: 'once', start, end: start + 3_600_000 } })).id as string;
}, 60_000);
afterAll(() => server?.close());

/**
 * One parameter of a scoped route and how it is asked: `selector` names a place or a record (the
 * value sent is the other district's / operator's, and the answer must be a refusal — 403 or 404 —
 * or hold none of the other's data); `other` is not a selector (why is said in `why`): it is sent
 * with `value`, and the answer must hold none of the other's data either.
 */
type Case = { selector: true; value: () => string; own?: () => string } | { selector: false; value: () => string; why: string };
type RouteCases = { params: Record<string, Case>; base?: Record<string, string> };

const month = new Date().toISOString().slice(0, 7);
const notSelector = (value: string, why: string): Case => ({ selector: false, value: () => value, why });

/** Every scoped GET route of the district role, with a case for each parameter. */
const DISTRICT: Record<string, RouteCases> = {
  '/api/v1/auth/me': { params: {} },
  // The demo history fill's progress: no place in it (a percent and a state).
  '/api/v1/simulation/history': { params: {} },
  '/api/v1/districts': { params: {} },
  '/api/v1/topology': { params: {} },
  '/api/v1/collectors': { params: {} },
  '/api/v1/series': {
    base: { metric: 'scope.probe' },
    params: {
      metric: notSelector('scope.probe', 'what is measured, not where'),
      district: { selector: true, value: () => FOREIGN, own: () => OWN },
      unit: { selector: true, value: () => FOREIGN, own: () => OWN },
      node: { selector: true, value: () => foreignNode, own: () => ownNode },
      from: notSelector(String(Date.now() - 3_600_000), 'a time'),
      to: notSelector(String(Date.now() + 60_000), 'a time'),
      step: notSelector('raw', 'a resolution'),
    },
  },
  '/api/v1/alerts': {
    params: {
      district: { selector: true, value: () => FOREIGN, own: () => OWN },
      node: { selector: true, value: () => foreignNode, own: () => ownNode },
      state: notSelector('open', 'a state'),
      severity: notSelector('P3', 'a severity'),
      limit: notSelector('1000', 'a count'),
    },
  },
  '/api/v1/alerts/{id}': { params: { id: { selector: true, value: () => foreign.alert, own: () => own.alert } } },
  '/api/v1/alerts/{id}/deliveries': { params: { id: { selector: true, value: () => foreign.alert, own: () => own.alert } } },
  '/api/v1/alert-rules': { params: {} },
  '/api/v1/alert-rules/{id}': { params: { id: notSelector('default-net-latency_ms-critical', 'rules are the city\'s configuration, the same for every district') } },
  '/api/v1/silences': { params: { active: notSelector('false', 'active or all') } },
  '/api/v1/notification-channels': { params: {} },
  '/api/v1/notification-channels/{id}': { params: { id: notSelector('', 'channels are the city\'s configuration; their credentials are masked') } },
  '/api/v1/migration/systems': {
    params: {
      district: { selector: true, value: () => FOREIGN, own: () => OWN },
      agency: notSelector('', 'narrows within the user\'s own unit (an agency of another district gives nothing)'),
      state: notSelector('inventoried', 'a state'),
      flag: notSelector('overdue', 'a flag'),
    },
  },
  '/api/v1/migration/systems/{id}': { params: { id: { selector: true, value: () => foreign.system, own: () => own.system } } },
  '/api/v1/migration/systems/{id}/history': { params: { id: { selector: true, value: () => foreign.system, own: () => own.system } } },
  '/api/v1/migration/summary': { params: {} },
  // The node registry (issue 14): the list and a node, the unit a selector, the rest narrows within it.
  '/api/v1/nodes': {
    params: {
      unit: { selector: true, value: () => FOREIGN, own: () => OWN },
      q: notSelector('nm-scope', 'a text search: it narrows within the user\'s own unit (the other\'s node by name gives nothing)'),
      level: notSelector('village', 'a level'),
      status: notSelector('up', 'a status'),
      registered: notSelector('false', 'registered or not'),
      offset: notSelector('0', 'a page'),
      limit: notSelector('1000', 'a page size'),
    },
  },
  '/api/v1/nodes/{id}': { params: { id: { selector: true, value: () => foreignNode, own: () => ownNode } } },
  // The node page's path to the city core: scoped by the node asked for.
  '/api/v1/nodes/{id}/path': { params: { id: { selector: true, value: () => foreignNode, own: () => ownNode } } },
  '/api/v1/migration/monthly': {
    base: { month },
    params: { unit: { selector: true, value: () => FOREIGN, own: () => OWN }, month: notSelector(month, 'a month') },
  },
  // Issue 15: a district user reads its own unit's SLA (its extranet service) and the windows covering it.
  '/api/v1/sla/services': { params: {} },
  '/api/v1/sla/services/{id}/minutes': {
    base: { from: String(Date.now() - 3_600_000), to: String(Date.now()) },
    params: {
      id: { selector: true, value: () => `extranet:${FOREIGN}`, own: () => `extranet:${OWN}` },
      from: notSelector(String(Date.now() - 3_600_000), 'a time'),
      to: notSelector(String(Date.now()), 'a time'),
    },
  },
  '/api/v1/sla/services/{id}/days': {
    params: {
      id: { selector: true, value: () => `extranet:${FOREIGN}`, own: () => `extranet:${OWN}` },
      month: notSelector(month, 'a month'),
      // The contract the days are counted under (issue 15, item 9): one covering the user's unit only.
      contract: { selector: true, value: () => foreign.contract, own: () => own.contract },
    },
  },
  '/api/v1/sla/units': { params: { month: notSelector(month, 'a month: the answer holds the user\'s own unit only') } },
  '/api/v1/sla/contracts': { params: {} },
  '/api/v1/sla/contracts/{id}': { params: { id: { selector: true, value: () => foreign.contract, own: () => own.contract } } },
  '/api/v1/sla/contracts/{id}/summary': { params: { id: { selector: true, value: () => foreign.contract, own: () => own.contract }, month: notSelector(month, 'a month') } },
  '/api/v1/sla/incidents': {
    params: { service: { selector: true, value: () => `extranet:${FOREIGN}` }, month: notSelector(month, 'a month'), open: notSelector('true', 'open or all') },
  },
  '/api/v1/sla/incidents/{id}': { params: { id: { selector: true, value: () => 'no-such-incident' } } },
  '/api/v1/maintenance-windows': { params: {} },
  '/api/v1/maintenance-windows/{id}': { params: { id: { selector: true, value: () => foreign.window } } },
};
// Values known only after beforeAll.
(DISTRICT['/api/v1/notification-channels/{id}'].params.id as { value: () => string }).value = () => own.channel;
(DISTRICT['/api/v1/migration/systems'].params.agency as { value: () => string }).value = () => foreign.agency;

/** Every scoped GET route of the operator role (its scope: the contracts naming its operator). */
const OPERATOR: Record<string, RouteCases> = {
  '/api/v1/auth/me': { params: {} },
  // The demo history fill's progress: no place in it (a percent and a state).
  '/api/v1/simulation/history': { params: {} },
  '/api/v1/sla/services': { params: {} },
  '/api/v1/sla/services/{id}/minutes': {
    base: { from: String(Date.now() - 3_600_000), to: String(Date.now()) },
    params: {
      id: { selector: true, value: () => `extranet:${FOREIGN}`, own: () => `extranet:${OWN}` },
      from: notSelector(String(Date.now() - 3_600_000), 'a time'),
      to: notSelector(String(Date.now()), 'a time'),
    },
  },
  '/api/v1/sla/services/{id}/days': {
    params: {
      id: { selector: true, value: () => `extranet:${FOREIGN}`, own: () => `extranet:${OWN}` },
      month: notSelector(month, 'a month'),
      // The contract whose terms and effective date the days are counted under (issue 15, item 9).
      contract: { selector: true, value: () => foreign.contract, own: () => own.contract },
    },
  },
  '/api/v1/sla/contracts': { params: {} },
  '/api/v1/sla/contracts/{id}': { params: { id: { selector: true, value: () => foreign.contract, own: () => own.contract } } },
  '/api/v1/sla/contracts/{id}/summary': { params: { id: { selector: true, value: () => foreign.contract, own: () => own.contract }, month: notSelector(month, 'a month') } },
  '/api/v1/sla/contracts/{id}/report': {
    params: { id: { selector: true, value: () => foreign.contract, own: () => own.contract }, month: notSelector(month, 'a month'), format: notSelector('json', 'a format') },
  },
  '/api/v1/sla/incidents': {
    params: { service: { selector: true, value: () => `extranet:${FOREIGN}` }, month: notSelector(month, 'a month'), open: notSelector('true', 'open or all') },
  },
  '/api/v1/sla/incidents/{id}': { params: { id: { selector: true, value: () => 'no-such-incident' } } },
  '/api/v1/sla/reclassifications': { params: {} },
  '/api/v1/maintenance-windows': { params: {} },
  '/api/v1/maintenance-windows/{id}': { params: { id: { selector: true, value: () => foreign.window } } },
  // Issue 15: an operator's live status view reads the series of what its contracts cover.
  '/api/v1/series': {
    base: { metric: 'scope.probe' },
    params: {
      metric: notSelector('scope.probe', 'what is measured, not where'),
      district: { selector: true, value: () => FOREIGN, own: () => OWN },
      unit: { selector: true, value: () => FOREIGN, own: () => OWN },
      node: { selector: true, value: () => foreignNode, own: () => ownNode },
      from: notSelector(String(Date.now() - 3_600_000), 'a time'),
      to: notSelector(String(Date.now() + 60_000), 'a time'),
      step: notSelector('raw', 'a resolution'),
    },
  },
  // Issue 15: an operator reads the alerts of what its contracts cover (here 520103's extranet).
  '/api/v1/alerts': {
    params: {
      district: { selector: true, value: () => FOREIGN, own: () => OWN },
      node: { selector: true, value: () => foreignNode, own: () => ownNode },
      state: notSelector('open', 'a state'),
      severity: notSelector('P3', 'a severity'),
      limit: notSelector('1000', 'a count'),
    },
  },
  '/api/v1/alerts/{id}': { params: { id: { selector: true, value: () => foreign.alert, own: () => own.alert } } },
  '/api/v1/alerts/{id}/deliveries': { params: { id: { selector: true, value: () => foreign.alert, own: () => own.alert } } },
  '/api/v1/alert-rules': { params: {} },
  '/api/v1/alert-rules/{id}': { params: { id: notSelector('default-net-latency_ms-critical', 'rules are the city\'s configuration, the same for every operator') } },
};

/** What must never reach the district user / the operator: the other's records and the robot's credential. */
const districtMarkers = () => [foreign.alert, foreign.system, foreign.silenceByDistrict, foreign.silenceByNode, foreignNode, 'nm-scope-edge', SECRET, foreign.contract, foreign.window, `extranet:${FOREIGN}`];
const operatorMarkers = () => [foreign.contract, foreign.window, `extranet:${FOREIGN}`, SECRET, foreign.alert, foreignNode];

function scopedGets(role: string): Map<string, Op> {
  const out = new Map<string, Op>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const op = item.get;
    if (op && !op['x-public'] && op['x-roles'].includes(role)) out.set(path, op);
  }
  return out;
}

async function ask(token: string, path: string, query: Record<string, string>) {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${server.url}${path}${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

/** Fills the path's `{param}`s: `param` with `value`, the others with their cases' own (or sent) values. */
function url(path: string, cases: RouteCases, param?: string, value?: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === param) return encodeURIComponent(value!);
    const c = cases.params[name];
    return encodeURIComponent(c && c.selector && c.own ? c.own() : (c?.value() ?? 'x'));
  });
}

async function matrix(role: 'district' | 'operator', table: Record<string, RouteCases>, markers: () => string[]): Promise<string[]> {
  const failures: string[] = [];
  const routes = scopedGets(role);
  // The matrix is the app's: a scoped route or a parameter the table does not know fails here.
  for (const [path, op] of routes) {
    if (op['x-query-undocumented']) failures.push(`${path}: takes the whole query without a schema in ROUTE_SCHEMAS (its parameters cannot be checked)`);
    if (op['x-reads-request']) failures.push(`${path}: reads the raw request (its parameters cannot be listed)`);
    const cases = table[path];
    if (!cases) {
      failures.push(`${path}: a scoped route with no case in this test`);
      continue;
    }
    const params = op.parameters.filter((p) => p.in === 'path' || p.in === 'query').map((p) => p.name).sort();
    const known = Object.keys(cases.params).sort();
    for (const p of params) if (!known.includes(p)) failures.push(`${path}: parameter ${p} has no case in this test`);
    for (const p of known) if (!params.includes(p)) failures.push(`${path}: the case for ${p} names a parameter the route no longer has`);
  }
  for (const path of Object.keys(table)) if (!routes.has(path)) failures.push(`${path}: a case for a route that is not a scoped GET of ${role}`);

  const leak = (what: string, text: string) => {
    const found = markers().filter((m) => m && text.includes(m));
    if (found.length) failures.push(`${what}: answered with the other's data (${found.join(', ')})`);
  };
  for (const [path, cases] of Object.entries(table)) {
    if (!routes.has(path)) continue;
    const isPath = (p: string) => path.includes(`{${p}}`);
    // With no selector at all: only the user's own data.
    if (!Object.keys(cases.params).some(isPath)) {
      const r = await ask(tokens[role], path, cases.base ?? {});
      if (r.status >= 400) failures.push(`${path}: ${r.status} without a selector`);
      leak(path, r.text);
    }
    for (const [param, c] of Object.entries(cases.params)) {
      const query = { ...(cases.base ?? {}) };
      let target = url(path, cases);
      if (isPath(param)) target = url(path, cases, param, c.value());
      else query[param] = c.value();
      const what = `${role} GET ${target}?${new URLSearchParams(query).toString()}`;
      const r = await ask(tokens[role], target, query);
      if (r.status >= 500) failures.push(`${what}: ${r.status}`);
      else if (c.selector) {
        if (r.status !== 403 && r.status !== 404) leak(what, r.text);
        // The same selector with the user's own value goes through: the refusal is about the data.
        if (c.own) {
          const ownQuery = { ...(cases.base ?? {}) };
          let ownTarget = url(path, cases);
          if (isPath(param)) ownTarget = url(path, cases, param, c.own());
          else ownQuery[param] = c.own();
          const o = await ask(tokens[role], ownTarget, ownQuery);
          if (o.status !== 200) failures.push(`${role} GET ${ownTarget} with its own ${param}: ${o.status} ${o.text.slice(0, 200)}`);
        }
      } else leak(what, r.text);
    }
  }
  return failures;
}

describe('scope by data: every selector of every scoped route', () => {
  it('keeps a district user to its own unit, whichever parameter names the place', async () => {
    expect(await matrix('district', DISTRICT, districtMarkers)).toEqual([]);
  }, 60_000);

  it('keeps an operator to its own contracts and their services', async () => {
    expect(await matrix('operator', OPERATOR, operatorMarkers)).toEqual([]);
  }, 60_000);

  it('answers ?unit= and ?node= of another district with 403 naming the parameter, and the own unit with its series', async () => {
    const series = async (q: string) => ask(tokens.district, '/api/v1/series', Object.fromEntries(new URLSearchParams(`metric=scope.probe&${q}`)));
    const unit = await series(`unit=${FOREIGN}`);
    expect(unit.status).toBe(403);
    expect(unit.text).toMatch(/unit=\\"520102\\"/);
    // A zone standing in the user's district is not the district's (Article 9), nor is a node of another.
    expect((await series('unit=gy-shuanglong')).status).toBe(403);
    expect((await series(`node=${foreignNode}`)).status).toBe(403);
    expect((await series(`unit=${OWN}&unit=${FOREIGN}`)).status).toBe(403);
    const mine = await series(`node=${ownNode}`);
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.text).series.map((s: { tags: { node: string } }) => s.tags.node)).toEqual([ownNode]);
  });

  it('shows a district user its own silences and those of no district, not another district\'s', async () => {
    const r = await ask(tokens.district, '/api/v1/silences', {});
    const ids = (JSON.parse(r.text) as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toContain(own.silence);
    expect(ids).not.toContain(foreign.silenceByDistrict);
    expect(ids).not.toContain(foreign.silenceByNode);
  });
});

describe('notification credentials stay with admin and ops', () => {
  it('masks robot URLs for leader and district users and shows them whole to admin and ops', async () => {
    const ops = await server.login('ops');
    for (const [role, token, whole] of [['admin', server.token, true], ['ops', ops, true], ['leader', tokens.leader, false], ['district', tokens.district, false]] as const) {
      for (const path of ['/api/v1/notification-channels', `/api/v1/notification-channels/${own.channel}`]) {
        const r = await ask(token, path, {});
        expect(`${role} ${path} ${r.status}`).toBe(`${role} ${path} 200`);
        const channel = ([] as Array<{ id: string; url: string }>).concat(JSON.parse(r.text)).find((c) => c.id === own.channel)!;
        expect(`${role}: ${channel.url}`).toBe(`${role}: ${whole ? `https://oapi.dingtalk.com/robot/send?access_token=${SECRET}` : 'https://oapi.dingtalk.com/***?access_token=***'}`);
        if (!whole) expect(r.text).not.toContain(SECRET);
      }
    }
  });

  it('sends no channel URL over the live socket to a leader or a district user', async () => {
    for (const [token, topics] of [[tokens.leader, ['overview', 'alerts', `district:${OWN}`]], [tokens.district, [`district:${OWN}`, `node:${ownNode}`]]] as const) {
      const client = new LiveTestClient(server.url, token);
      await client.connected();
      const ack = await client.subscribe(topics);
      expect(ack.subscribed.sort()).toEqual([...topics].sort());
      // Each subscription answers with a snapshot of the topic; frames follow as data changes.
      for (let i = 0; i < 100 && !topics.every((t) => client.snapshots.some((f) => f.topic === t)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(client.snapshots.map((f) => f.topic).sort()).toEqual([...topics].sort());
      expect(JSON.stringify([client.snapshots, client.frames])).not.toContain(SECRET);
      client.close();
    }
  });
});
