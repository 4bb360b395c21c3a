// Issue 7: every route and topic against every role, throttled logins, session expiry and logout,
// password change, token revocation mid-stream, the audit log, headers, and no secrets in logs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllersOf, routesOf, type RouteInfo } from '../../server/src/openapi/openapi.builder.js';
import { LiveTestClient } from '../support/live-client.js';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROLES = ['admin', 'ops', 'operator', 'leader', 'district'] as const;
type Role = (typeof ROLES)[number];

/** Every route of the running app, as /api/openapi.json describes it (new routes join by themselves). */
const routesOfApp = (server: TestServer): RouteInfo[] => routesOf(controllersOf(server.app.get(ModulesContainer)), server.app.get(Reflector));
type Route = RouteInfo;

let server: TestServer;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  server = await startTestServer();
  tokens.admin = server.token;
  tokens.ops = await server.login('ops');
  tokens.operator = await server.login('operator', { operator: '中国电信贵阳分公司' });
  tokens.leader = await server.login('leader');
  tokens.district = await server.login('district', { district: '520103' });
});
afterAll(() => server.close());

const call = (r: Route, token?: string) =>
  fetch(`${server.url}${r.path.replace(/\{[A-Za-z0-9_]+\}/g, 'x')}`, {
    method: r.method === 'ALL' ? 'GET' : r.method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: ['GET', 'HEAD', 'ALL'].includes(r.method) ? undefined : '{}',
  });

describe('every route', () => {
  it('states who may call it: @Public or @Roles, none left to chance', () => {
    const routes = routesOfApp(server);
    expect(routes.length).toBeGreaterThan(15);
    const unstated = routes.filter((r) => !r.public && !r.rolesStated).map((r) => `${r.method} ${r.path}`);
    expect(unstated).toEqual([]);
  });

  it('answers 401 without a session and 401 with a made-up one', async () => {
    for (const r of routesOfApp(server).filter((x) => !x.public)) {
      const res = await call(r);
      expect(`${r.method} ${r.path} ${res.status}`).toBe(`${r.method} ${r.path} 401`);
      const fake = await call(r, 'x'.repeat(43));
      expect(`${r.method} ${r.path} ${fake.status}`).toBe(`${r.method} ${r.path} 401`);
    }
  });

  it('answers 403 to every role the route does not name, and lets the named roles and admin through', async () => {
    const failures: string[] = [];
    // Logout would end the very sessions the matrix goes on with; it has a test of its own.
    for (const r of routesOfApp(server).filter((x) => !x.public && x.path !== '/api/v1/auth/logout')) {
      for (const role of ROLES) {
        const allowed = role === 'admin' || (r.roles as string[]).includes(role);
        const res = await call(r, tokens[role]);
        // An allowed role may still meet a 403 of scope (another district's data, a service in none
        // of an operator's contracts), never the role guard's own ("role <r> may not ...").
        const byGuard = res.status === 403 && /^role /.test(((await res.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? '');
        const ok = allowed ? res.status !== 401 && !byGuard : byGuard;
        if (!ok) failures.push(`${role} ${r.method} ${r.path}: ${res.status} ${allowed ? '(allowed)' : '(not allowed)'}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('district scope', () => {
  it('keeps a district user to its own district over HTTP', async () => {
    const as = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tokens.district}` } });
    expect((await as('/api/v1/series?metric=net.up&district=520102')).status).toBe(403);
    expect((await as('/api/v1/series?metric=net.up&district=520103')).status).toBe(200);
    const districts = (await (await as('/api/v1/districts')).json()) as { units: Array<{ code: string }> };
    expect(districts.units.map((u) => u.code)).toEqual(['520103']);
  });

  it('lets each role watch only its topics over the socket, and refuses a socket without a session', async () => {
    const anonymous = new LiveTestClient(server.url);
    await expect(anonymous.connected()).rejects.toThrow(/unauthorized/);
    anonymous.close();
    const topics = ['overview', 'district:520103', 'district:520102', 'sla'];
    const expected: Record<Role, string[]> = {
      admin: topics,
      ops: topics,
      leader: topics,
      operator: [],
      district: ['district:520103'],
    };
    for (const role of ROLES) {
      const client = new LiveTestClient(server.url, tokens[role]);
      await client.connected();
      const ack = await client.subscribe(topics);
      // A topic no module serves yet is refused for everyone with "not served": not a role matter.
      for (const t of topics) {
        const refusal = ack.rejected.find((r) => r.topic === t);
        if (refusal && /not served/.test(refusal.error)) continue;
        expect(`${role} ${t} ${ack.subscribed.includes(t) ? 'watches' : `refused: ${refusal?.error}`}`).toMatch(
          expected[role].includes(t) ? new RegExp(`^${role} ${t} watches$`) : new RegExp(`^${role} ${t} refused: .*(may watch|not in district)`),
        );
      }
      client.close();
    }
  });
});

describe('operator scope', () => {
  it('shows an operator the contracts naming it and their services only', async () => {
    const make = async (operator: string, services: string[]) =>
      (await (await server.api('/api/v1/sla/contracts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator, services, targetPct: 99.9 }) })).json()) as { id: string };
    const mine = await make('中国电信贵阳分公司', ['extranet:520103']);
    const theirs = await make('中国联通贵阳分公司', ['extranet:520102']);
    const as = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tokens.operator}` } });
    const list = (await (await as('/api/v1/sla/contracts')).json()) as { contracts: Array<{ id: string }> };
    expect(list.contracts.map((c) => c.id)).toEqual([mine.id]);
    expect((await as(`/api/v1/sla/contracts/${theirs.id}/report?format=csv`)).status).toBe(403);
    expect((await as(`/api/v1/sla/contracts/${mine.id}/report?format=csv`)).status).toBe(200);
    expect((await as('/api/v1/sla/services/extranet:520102/days')).status).toBe(403);
    const services = (await (await as('/api/v1/sla/services')).json()) as { services: Array<{ id: string }> };
    expect(services.services.map((x) => x.id)).toEqual(['extranet:520103']);
  });

  it('keeps an operator to its contracts\' maintenance windows and to editing or cancelling its own requests', async () => {
    const json = { 'content-type': 'application/json' };
    await server.api('/api/v1/sla/contracts', { method: 'POST', headers: json, body: JSON.stringify({ operator: '中国电信贵阳分公司', services: ['extranet:520111'], targetPct: 99.9 }) });
    const colleague = await server.login('operator', { operator: '中国电信贵阳分公司' });
    const as = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, { method, headers: { ...json, authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    const start = Date.now() + 86_400_000;
    const window = (services: string[], districts: string[] = []) => ({ title: '割接', services, districts, schedule: { kind: 'once', start, end: start + 3_600_000 } });

    // Only its contracts' services and their districts; the requester is the session user.
    const other = await as(tokens.operator, 'POST', '/api/v1/maintenance-windows', window(['extranet:520102']));
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(/^services: extranet:520102/);
    expect((await as(tokens.operator, 'POST', '/api/v1/maintenance-windows', window([], ['520102']))).status).toBe(403);
    expect((await as(tokens.operator, 'POST', '/api/v1/maintenance-windows', { ...window(['extranet:520111']), requestedBy: 'someone-else' })).status).toBe(400);
    const mineRes = await as(tokens.operator, 'POST', '/api/v1/maintenance-windows', window(['extranet:520111'], ['520103']));
    expect(mineRes.status).toBe(201);
    const mine = (await mineRes.json()) as { id: string; requestedBy: string };
    expect(mine.requestedBy).toMatch(/^test-operator-/);
    // A window of another operator's service is not shown to it, nor found.
    const foreign = (await (await server.api('/api/v1/maintenance-windows', { method: 'POST', headers: json, body: JSON.stringify(window(['extranet:520102'])) })).json()) as { id: string };
    const listed = (await (await as(tokens.operator, 'GET', '/api/v1/maintenance-windows')).json()) as { windows: Array<{ id: string }> };
    expect(listed.windows.map((w) => w.id)).toContain(mine.id);
    expect(listed.windows.map((w) => w.id)).not.toContain(foreign.id);
    expect((await as(tokens.operator, 'GET', `/api/v1/maintenance-windows/${foreign.id}`)).status).toBe(404);
    expect((await as(tokens.operator, 'PUT', `/api/v1/maintenance-windows/${foreign.id}`, window(['extranet:520111']))).status).toBe(404);

    // Its own request: editable and cancellable by it while requested; not by a colleague.
    expect((await as(colleague, 'PUT', `/api/v1/maintenance-windows/${mine.id}`, window(['extranet:520111']))).status).toBe(403);
    expect((await as(colleague, 'POST', `/api/v1/maintenance-windows/${mine.id}/cancel`)).status).toBe(403);
    expect((await as(tokens.operator, 'PUT', `/api/v1/maintenance-windows/${mine.id}`, window(['extranet:520102']))).status).toBe(403);
    const edited = await as(tokens.operator, 'PUT', `/api/v1/maintenance-windows/${mine.id}`, { ...window(['extranet:520111']), title: '割接（改期）' });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ title: '割接（改期）', state: 'requested', districts: [] });
    const cancelled = await as(tokens.operator, 'POST', `/api/v1/maintenance-windows/${mine.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ state: 'cancelled', decidedBy: mine.requestedBy });
    expect((await as(tokens.operator, 'POST', `/api/v1/maintenance-windows/${mine.id}/cancel`)).status).toBe(409);
    expect((await as(tokens.operator, 'PUT', `/api/v1/maintenance-windows/${mine.id}`, window(['extranet:520111']))).status).toBe(409);
    expect((await server.api(`/api/v1/maintenance-windows/${mine.id}/approve`, { method: 'POST', headers: json, body: '{}' })).status).toBe(409);

    // An approved one is no longer the operator's to change; the change is in the audit log.
    const next = (await (await as(tokens.operator, 'POST', '/api/v1/maintenance-windows', window(['extranet:520111']))).json()) as { id: string };
    expect((await server.api(`/api/v1/maintenance-windows/${next.id}/approve`, { method: 'POST', headers: json, body: '{}' })).status).toBe(200);
    expect((await as(tokens.operator, 'PUT', `/api/v1/maintenance-windows/${next.id}`, window(['extranet:520111']))).status).toBe(409);
    expect((await as(tokens.operator, 'POST', `/api/v1/maintenance-windows/${next.id}/cancel`)).status).toBe(409);
    const audit = (await (await server.api('/api/v1/audit?limit=200')).json()) as { records?: Array<{ action: string; target: string | null; actor: string }> };
    expect(audit.records?.find((r) => r.action === 'http.POST /api/v1/maintenance-windows/:id/cancel' && r.target === mine.id)).toMatchObject({ actor: `user:${mine.requestedBy}` });
  });
});

describe('sessions', () => {
  it('logs in with an httpOnly SameSite cookie that works alone, and logs out', async () => {
    await server.app.get((await import('../../server/src/security/accounts.service.js')).AccountsService).addUser({ username: 'wang.li', role: 'ops', password: 'Guiyang-2026-ops' }, 'test');
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wang.li', password: 'Guiyang-2026-ops' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^zhuyun_session=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const { token } = (await res.json()) as { token: string };
    const jar = cookie.split(';')[0];
    const me = await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie: jar } });
    expect(await me.json()).toMatchObject({ username: 'wang.li', role: 'ops' });
    expect((await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    expect((await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie: jar } })).status).toBe(401);
  });

  it('throttles guessing: 5 wrong passwords per account, then 429 with Retry-After even for the right one', async () => {
    const login = (password: string, username = 'wang.li') =>
      fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    for (let i = 0; i < 5; i++) expect((await login(`guess-${i}`)).status).toBe(401);
    const blocked = await login('Guiyang-2026-ops');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked by this one's failures.
    expect((await login('wrong', 'nobody-here')).status).toBe(401);
  });

  it('changes a password: the old one stops working, other sessions end, this one goes on', async () => {
    const accounts = server.app.get((await import('../../server/src/security/accounts.service.js')).AccountsService);
    await accounts.addUser({ username: 'li.na', role: 'leader', password: 'First-pass-123' }, 'test');
    const a = await accounts.login({ username: 'li.na', password: 'First-pass-123' }, '10.0.0.1');
    const b = await accounts.login({ username: 'li.na', password: 'First-pass-123' }, '10.0.0.2');
    const change = (body: unknown) =>
      fetch(`${server.url}/api/v1/auth/password`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` }, body: JSON.stringify(body) });
    expect((await change({ current: 'wrong-one-1', next: 'Second-pass-456' })).status).toBe(400);
    expect((await change({ current: 'First-pass-123', next: 'short' })).status).toBe(400);
    expect((await change({ current: 'First-pass-123', next: 'Second-pass-456' })).status).toBe(204);
    const me = (t: string) => fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${t}` } });
    expect((await me(a.token)).status).toBe(200);
    expect((await me(b.token)).status).toBe(401);
    await expect(accounts.login({ username: 'li.na', password: 'First-pass-123' }, '10.0.0.3')).rejects.toThrow(/wrong user name or password/);
  });
});

describe('collector tokens and the audit log', () => {
  it('issues a token through the admin API and revokes it with immediate effect, mid-stream', async () => {
    const issued = await server.api('/api/v1/collectors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'xf-edge-01', district: '520122' }) });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const statuses: number[] = [];
    let n = 0;
    const send = () =>
      fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ collector: 'xf-edge-01', batch: `xf-${++n}`, points: [{ metric: 'net.up', ts: Date.now(), value: 1, tags: { district: '520122', node: 'xf-core-1' } }] }),
      }).then((r) => statuses.push(r.status));
    for (let i = 0; i < 5; i++) await send();
    expect((await server.api('/api/v1/collectors/xf-edge-01', { method: 'DELETE' })).status).toBe(204);
    for (let i = 0; i < 3; i++) await send();
    expect(statuses).toEqual([202, 202, 202, 202, 202, 401, 401, 401]);
    // A collector token is no session: it opens no other route.
    expect((await fetch(`${server.url}/api/v1/districts`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('records logins, failures and token operations, readable and exportable by admins only', async () => {
    const res = await server.api('/api/v1/audit?limit=1000');
    const { records } = (await res.json()) as { records: Array<{ actor: string; action: string; outcome: string; target: string | null; after: unknown }> };
    const actions = new Set(records.map((r) => `${r.action}:${r.outcome}`));
    // Changes in any module are audited by the interceptor, failed ones too (the matrix's PUTs).
    expect([...actions].some((a) => a.startsWith('http.PUT /api/v1/alert-rules/:id:'))).toBe(true);
    expect([...actions].some((a) => a.startsWith('http.PUT /api/v1/topology/nodes/:node:'))).toBe(true);
    // Throttled logins (auth.login:denied) are written once per window when it closes: security.sessions.spec.ts.
    for (const a of ['auth.login:ok', 'auth.login:failed', 'auth.logout:ok', 'auth.password:ok', 'user.create:ok', 'collector.token.issue:ok', 'collector.token.revoke:ok']) {
      expect(actions).toContain(a);
    }
    expect(JSON.stringify(records)).not.toMatch(/Guiyang-2026-ops|Second-pass-456|password_hash/);
    const csv = await server.api('/api/v1/audit?format=csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // The first header holds a comma: quoted (before issue 13 it was not, and split in two columns).
    expect(new TextDecoder().decode(bytes).startsWith('"时间(time, UTC+8)",epoch_ms,')).toBe(true);
    expect((await fetch(`${server.url}/api/v1/audit`, { headers: { authorization: `Bearer ${tokens.ops}` } })).status).toBe(403);
  });
});

describe('headers', () => {
  it('sends a content security policy and refuses cross-origin callers by default', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { origin: 'http://evil.example' } });
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('expiry and logs (a server process of its own)', () => {
  it('ends a session after ZHUYUN_SESSION_TTL and writes no password or token to its log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-sec-'));
    const env = { ZHUYUN_DATA_DIR: dataDir, ZHUYUN_SESSION_TTL: '3s' };
    const proc = await spawnServer(env);
    try {
      const token = await adminToken(proc.url, env);
      const me = () => fetch(`${proc.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect((await me()).status).toBe(200);
      const wrong = await fetch(`${proc.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ghost', password: 'Secret-Guess-999' }) });
      expect(wrong.status).toBe(401);
      await new Promise((r) => setTimeout(r, 3_200));
      expect((await me()).status).toBe(401);
      const log = proc.output();
      expect(log).toMatch(/"action":"auth.login"/); // the log does speak of logins...
      expect(log).not.toContain(token); // ...never with the token
      expect(log).not.toContain('Secret-Guess-999');
    } finally {
      await killHard(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('behind a reverse proxy (ZHUYUN_TRUST_PROXY)', () => {
  it('marks the session cookie Secure for https at the proxy and throttles by the client address', async () => {
    const proxied = await startTestServer({ ZHUYUN_TRUST_PROXY: '1' });
    try {
      const accounts = proxied.app.get((await import('../../server/src/security/accounts.service.js')).AccountsService);
      await accounts.addUser({ username: 'zhao.min', role: 'ops', password: 'Proxy-tested-2026' }, 'test');
      const login = (password: string, client: string) =>
        fetch(`${proxied.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': client },
          body: JSON.stringify({ username: 'zhao.min', password }),
        });
      const ok = await login('Proxy-tested-2026', '10.20.30.40');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
      await login('wrong-password', '10.20.30.41');
      const { records } = (await (await proxied.api('/api/v1/audit?action=auth.login')).json()) as { records: Array<{ outcome: string; address: string }> };
      expect(records.find((r) => r.outcome === 'failed')?.address).toBe('10.20.30.41');
    } finally {
      await proxied.close();
    }
  });

  it('believes no forwarded header without it', async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'wang.li', password: 'not-it-at-all' }),
    });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect([401, 429]).toContain(res.status);
  });
});
