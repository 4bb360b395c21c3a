// Issue 13, item 6: same-site is not same-origin. A page on another port of this host gets the
// SameSite=Strict cookie with its requests; state-changing routes and the live socket refuse it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LIVE_NAMESPACE } from '@zhuyun/protocol';
import { createServer, type Server } from 'node:http';
import { io } from 'socket.io-client';
import { browserAvailable, launchBrowser, signIn } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const HEADER = '\uFEFF系统编号,系统名称,所属单位,区县,建设类型,资金方式,年运维费用（元）,财政运维,目标日期,状态,登记日期,评估日期,豁免依据,备注\r\n';
const csvOf = (id: string) => `${HEADER}${id},云岩区人社局社保业务系统,云岩区人社局,520103,existing,fiscal_build,300000,是,2026-06-30,assessed,2026-01-05,2026-02-10,,\r\n`;

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startTestServer({ ZHUYUN_CORS_ORIGINS: 'http://ops.example:8443' });
  cookie = `zhuyun_session=${server.token}`;
});
afterAll(() => server.close());

/** Migration system ids now stored. */
async function systemIds(): Promise<string[]> {
  const res = await server.api('/api/v1/migration/systems?limit=1000');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { systems?: Array<{ id: string }> } | Array<{ id: string }>;
  return (Array.isArray(body) ? body : (body.systems ?? [])).map((s) => s.id);
}

/** A socket.io handshake on /live with the admin's session and this Origin: `connected` or the refusal. */
function handshake(origin: string | undefined): Promise<string> {
  const socket = io(`${server.url}${LIVE_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: server.token }, ...(origin ? { extraHeaders: { origin } } : {}) });
  return new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  }).finally(() => socket.close());
}

const other = 'http://127.0.0.1:1';

describe('state-changing requests from another origin', () => {
  it('refuses a no-cors text/plain import from another port of this host, and stores nothing', async () => {
    const before = await systemIds();
    const res = await fetch(`${server.url}/api/v1/migration/systems/import`, { method: 'POST', headers: { cookie, origin: other, 'sec-fetch-site': 'same-site', 'content-type': 'text/plain' }, body: csvOf('xo-001') });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'forbidden_origin', message: expect.stringMatching(/origin http:\/\/127.0.0.1:1 may not change anything/) });
    expect(await systemIds()).toEqual(before);
  });

  it('refuses a body-less POST (logout) from another origin, and a same-site request without an Origin', async () => {
    const logout = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, origin: other } });
    expect(logout.status).toBe(403);
    const noOrigin = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-site' } });
    expect(noOrigin.status).toBe(403);
    expect((await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(200); // still signed in
  });

  it('lets the same origin, a listed origin and clients that are not browsers through', async () => {
    const same = await fetch(`${server.url}/api/v1/migration/systems/import`, { method: 'POST', headers: { cookie, origin: server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'text/csv; charset=utf-8' }, body: csvOf('xo-002') });
    expect(same.status).toBe(200);
    expect(await systemIds()).toContain('xo-002');
    const listed = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { origin: 'http://ops.example:8443', 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody-here', password: 'not-a-password' }) });
    expect(listed.status).toBe(401); // through the origin check, refused by the password check
    const collector = await server.addCollector('xo-edge-01', '520103');
    const ingest = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collector}` },
      body: JSON.stringify({ collector: 'xo-edge-01', batch: 'xo-1', points: [{ metric: 'net.up', ts: Date.now(), value: 1, tags: { district: '520103', node: 'xo-core-1' } }] }),
    });
    expect(ingest.status).toBe(202);
  });

  it('takes a CSV import only as text/csv: text/plain is refused even from the same origin', async () => {
    const res = await server.api('/api/v1/migration/systems/import', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: csvOf('xo-003') });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Content-Type text\/csv, not text\/plain/);
    const none = await server.api('/api/v1/migration/systems/import', { method: 'POST', body: new Blob([csvOf('xo-003')]) });
    expect(none.status).toBe(400);
    expect(await systemIds()).not.toContain('xo-003');
  });
});

describe('the live socket from another origin', () => {
  it('refuses the handshake from a foreign origin and accepts the own, a listed and no origin', async () => {
    expect(await handshake(other)).toMatch(/^forbidden: requests from origin http:\/\/127.0.0.1:1/);
    expect(await handshake('http://evil.example')).toMatch(/^forbidden/);
    expect(await handshake(server.url)).toBe('connected');
    expect(await handshake('http://ops.example:8443')).toBe('connected');
    expect(await handshake(undefined)).toBe('connected');
  });
});

(browserAvailable() ? describe : describe.skip)('a real browser page on another port of this host', () => {
  let attacker: Server;
  let attackerUrl: string;
  beforeAll(async () => {
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>another port</title><p>another port</p>'));
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const addr = attacker.address();
    attackerUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => attacker.close(() => r())));

  it('can neither import migration systems as the signed-in admin nor read live frames', async () => {
    const before = await systemIds();
    // What reached the server from the page: the attempt must be made, cookie and all, to be refused.
    const arrived: Array<{ method?: string; url?: string; origin?: string; cookie: boolean }> = [];
    const note = (req: import('node:http').IncomingMessage) => arrived.push({ method: req.method, url: req.url, origin: req.headers.origin, cookie: /zhuyun_session=/.test(req.headers.cookie ?? '') });
    server.app.getHttpServer().on('request', note);
    server.app.getHttpServer().on('upgrade', note);
    const browser = await launchBrowser();
    try {
      await signIn(browser.context, server);
      const page = await browser.context.newPage();
      await page.goto(attackerUrl);
      const seen = await page.evaluate(
        async ({ target, csv }) => {
          const out: { fetch: string; ws: string[] } = { fetch: '', ws: [] };
          try {
            const r = await fetch(`${target}/api/v1/migration/systems/import`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: csv });
            out.fetch = r.type;
          } catch (e) {
            out.fetch = String(e);
          }
          // socket.io's own protocol over a bare WebSocket: open, connect to /live, subscribe.
          await new Promise<void>((resolve) => {
            const ws = new WebSocket(`${target.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
            ws.onmessage = (m) => {
              const data = String(m.data);
              out.ws.push(data.slice(0, 200));
              if (data.startsWith('0{')) ws.send('40/live,');
              if (data.startsWith('40/live,')) ws.send('42/live,0["subscribe","overview"]');
            };
            ws.onclose = () => resolve();
            setTimeout(() => (ws.close(), resolve()), 3_000);
          });
          return out;
        },
        { target: server.url, csv: csvOf('xo-004') },
      );
      // Sent with the cookie (no-cors; the answer is opaque or blocked by CORP, the page sees nothing).
      expect(arrived).toContainEqual({ method: 'POST', url: '/api/v1/migration/systems/import', origin: attackerUrl, cookie: true });
      expect(arrived).toContainEqual({ method: 'GET', url: expect.stringMatching(/^\/socket\.io\/\?EIO=4&transport=websocket/), origin: attackerUrl, cookie: true });
      expect(seen.fetch).toMatch(/^(opaque|TypeError: Failed to fetch)$/);
      expect(await systemIds()).toEqual(before);
      expect(seen.ws.some((m) => m.startsWith('44/live,') && m.includes('forbidden'))).toBe(true);
      expect(seen.ws.filter((m) => m.startsWith('40/live,{') || m.startsWith('42/live,') || m.startsWith('43/live,'))).toEqual([]);
    } finally {
      server.app.getHttpServer().off('request', note);
      server.app.getHttpServer().off('upgrade', note);
      await browser.close();
    }
  });
});
