// Issue 13, items 4, 5, 9, 13 and /metrics: the login throttle under concurrency, sockets that follow
// their session (logout, password change, disable, expiry, another instance), throttled logins
// audited per window, HSTS behind a TLS proxy, and the /metrics token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../server/src/common/logger.js';
import { AccountsService } from '../../server/src/security/accounts.service.js';
import { sharedServices } from '../support/cluster.js';
import { influxdAvailable } from '../support/influxd.js';
import { LiveTestClient } from '../support/live-client.js';
import { postgresAvailable } from '../support/postgres.js';
import { redisAvailable } from '../support/redis.js';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';
import { startTestServer, type TestServer } from '../support/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A counter's value from a Prometheus text page (0 when the series is not there yet). */
function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const metricsOf = async (url: string, headers: Record<string, string> = {}) => (await fetch(`${url}/metrics`, { headers })).text();

const login = (url: string, username: string, password: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) });

/** Resolves with the reason when the socket is disconnected; rejects when it still is not after `ms`. */
function disconnected(client: LiveTestClient, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (client.socket.disconnected) return resolve('already');
    const timer = setTimeout(() => reject(new Error(`socket still connected ${ms} ms later`)), ms);
    client.socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

async function liveSocket(url: string, token: string): Promise<LiveTestClient> {
  const c = new LiveTestClient(url, token);
  await c.connected();
  expect((await c.subscribe('overview')).subscribed).toEqual(['overview']);
  return c;
}

describe('the login throttle under concurrency', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('verifies at most 5 passwords of 300 guesses sent at once, the right one among them', async () => {
    await server.app.get(AccountsService).addUser({ username: 'zhou.qi', role: 'ops', password: 'Right-pass-2026' }, 'test');
    const before = metric(await metricsOf(server.url), 'zhuyun_login_password_checks_total');
    const guesses = Array.from({ length: 300 }, (_, i) => (i === 150 ? 'Right-pass-2026' : `wrong-guess-${i}`));
    const statuses = await Promise.all(guesses.map(async (p) => (await login(server.url, 'zhou.qi', p)).status));
    const after = metric(await metricsOf(server.url), 'zhuyun_login_password_checks_total');
    const count = (s: number) => statuses.filter((x) => x === s).length;
    // Counted before verifying: however the requests interleave, five are checked and the rest wait
    // (before issue 13 all 300 were checked, and the right one signed in).
    expect(count(401) + count(200)).toBeLessThanOrEqual(5);
    expect(count(429)).toBeGreaterThanOrEqual(295);
    expect(count(401) + count(200) + count(429)).toBe(300);
    expect(after - before).toBeGreaterThan(0);
    expect(after - before).toBeLessThanOrEqual(5);
  });
});

describe('sockets follow their session', () => {
  let server: TestServer;
  let accounts: AccountsService;
  beforeAll(async () => {
    server = await startTestServer();
    accounts = server.app.get(AccountsService);
  });
  afterAll(() => server.close());

  const ended = async (reason: string) => metric(await metricsOf(server.url), 'zhuyun_live_session_ended_sockets_total', `{reason="${reason}"}`);

  it('disconnects the socket of a session that logs out, at once (not by the periodic sweep)', async () => {
    const token = await server.login('ops');
    const client = await liveSocket(server.url, token);
    try {
      const gone = disconnected(client, 1_000);
      expect((await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
      expect(await gone).toBe('io server disconnect');
      expect(await ended('logout')).toBe(1);
      // And it cannot come back with that session.
      const again = new LiveTestClient(server.url, token);
      await expect(again.connected()).rejects.toThrow(/unauthorized/);
      again.close();
    } finally {
      client.close();
    }
  });

  it('disconnects the other sessions\' sockets on a password change and keeps the one that changed it', async () => {
    await accounts.addUser({ username: 'sun.yu', role: 'leader', password: 'First-pass-789' }, 'test');
    const a = await accounts.login({ username: 'sun.yu', password: 'First-pass-789' }, '10.0.0.1');
    const b = await accounts.login({ username: 'sun.yu', password: 'First-pass-789' }, '10.0.0.2');
    const sa = await liveSocket(server.url, a.token);
    const sb = await liveSocket(server.url, b.token);
    try {
      const gone = disconnected(sb, 1_000);
      const res = await fetch(`${server.url}/api/v1/auth/password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
        body: JSON.stringify({ current: 'First-pass-789', next: 'Second-pass-789' }),
      });
      expect(res.status).toBe(204);
      await gone;
      expect(await ended('password')).toBe(1);
      expect(sa.socket.connected).toBe(true);
      expect((await sa.subscribe('alerts')).subscribed).toEqual(['alerts']);
    } finally {
      sa.close();
      sb.close();
    }
  });

  it('disconnects every socket of a user an admin disables', async () => {
    await accounts.addUser({ username: 'qian.bo', role: 'ops', password: 'Disabled-soon-1' }, 'test');
    const s1 = await liveSocket(server.url, (await accounts.login({ username: 'qian.bo', password: 'Disabled-soon-1' }, '10.0.0.3')).token);
    const s2 = await liveSocket(server.url, (await accounts.login({ username: 'qian.bo', password: 'Disabled-soon-1' }, '10.0.0.4')).token);
    try {
      const gone = Promise.all([disconnected(s1, 1_000), disconnected(s2, 1_000)]);
      const res = await server.api('/api/v1/users/qian.bo', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
      expect(res.status).toBe(200);
      await gone;
      expect(await ended('account')).toBe(2);
    } finally {
      s1.close();
      s2.close();
    }
  });
});

describe('a socket whose session expires (a server process of its own, ZHUYUN_SESSION_TTL=4s)', () => {
  it('is disconnected when the session expires', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-sec-ttl-'));
    const env = { ZHUYUN_DATA_DIR: dataDir, ZHUYUN_SESSION_TTL: '4s' };
    const proc = await spawnServer(env);
    try {
      const token = await adminToken(proc.url, env);
      const client = await liveSocket(proc.url, token);
      try {
        // The expiry timer, not the sweep (every 10 s): within a second of the TTL.
        await disconnected(client, 5_000);
        expect(metric(await metricsOf(proc.url), 'zhuyun_live_session_ended_sockets_total', '{reason="expired"}')).toBe(1);
      } finally {
        client.close();
      }
    } finally {
      await killHard(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const clusterReady = [influxdAvailable(), await postgresAvailable(), await redisAvailable()].every(Boolean);
(clusterReady ? describe : describe.skip)('sockets follow their session across instances (two processes over Redis)', () => {
  let services: Awaited<ReturnType<typeof sharedServices>>;
  const procs: Array<Awaited<ReturnType<typeof spawnServer>>> = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    services = await sharedServices('zhuyun-sessions');
  });
  afterAll(async () => {
    for (const p of procs) await killHard(p.child);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await services?.destroy();
  });

  it('a logout on instance A disconnects the session\'s socket on instance B', async () => {
    const start = async (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `zhuyun-sessions-${name}-`));
      dirs.push(dir);
      const p = await spawnServer({ ...services.env, ZHUYUN_DATA_DIR: dir, ZHUYUN_INSTANCE: name });
      procs.push(p);
      return p;
    };
    const [a, b] = await Promise.all([start('a'), start('b')]);
    const token = await adminToken(a.url, services.env);
    const onB = await liveSocket(b.url, token);
    try {
      const gone = disconnected(onB, 1_000);
      expect((await fetch(`${a.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
      await gone;
      expect(metric(await metricsOf(b.url), 'zhuyun_live_session_ended_sockets_total', '{reason="logout"}')).toBe(1);
    } finally {
      onB.close();
    }
  });
});

describe('throttled logins in the audit log and the log', () => {
  it('writes one row per throttled window with the number of attempts, and one log line', async () => {
    let offset = 0;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const server = await startTestServer({ LOG_LEVEL: 'info' }, { clock: { now: () => Date.now() + offset }, logger: createLogger('info', sink) });
    try {
      await server.app.get(AccountsService).addUser({ username: 'wu.fan', role: 'ops', password: 'Audit-window-26' }, 'test');
      for (let i = 0; i < 5; i++) expect((await login(server.url, 'wu.fan', `wrong-${i}`)).status).toBe(401);
      const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => login(server.url, 'wu.fan', `again-${i}`).then((r) => r.status)));
      expect(statuses.every((s) => s === 429)).toBe(true);
      const denied = async () =>
        ((await (await server.api('/api/v1/audit?action=auth.login&limit=10000')).json()) as { records: Array<{ outcome: string; actor: string; address: string; after: { attempts?: number } }> }).records.filter((r) => r.outcome === 'denied');
      expect(await denied()).toEqual([]); // counted, not written one by one
      // The block lifts 15 minutes after the first failure: the window closes and is written once.
      offset += 16 * 60_000;
      let rows = await denied();
      for (let i = 0; i < 50 && rows.length === 0; i++) {
        await sleep(100);
        rows = await denied();
      }
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'wu.fan', address: '127.0.0.1', after: { reason: 'throttled', attempts: 200, by: 'account' } });
      await sleep(1_200); // another flush: nothing more
      expect(await denied()).toHaveLength(1);
      expect(lines.filter((l) => l.includes('logins throttled'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('"status":429'))).toEqual([]); // request lines of 429 logins: debug only
    } finally {
      await server.close();
    }
  });
});

describe('HSTS behind a TLS proxy', () => {
  it('sends Strict-Transport-Security only with ZHUYUN_TRUST_PROXY and https at the proxy', async () => {
    const proxied = await startTestServer({ ZHUYUN_TRUST_PROXY: '1' });
    const direct = await startTestServer();
    try {
      const hsts = async (url: string, headers: Record<string, string>) => (await fetch(`${url}/healthz`, { headers })).headers.get('strict-transport-security');
      expect(await hsts(proxied.url, { 'x-forwarded-proto': 'https' })).toMatch(/^max-age=\d{7,}/);
      expect(await hsts(proxied.url, { 'x-forwarded-proto': 'http' })).toBeNull();
      expect(await hsts(proxied.url, {})).toBeNull();
      expect(await hsts(direct.url, { 'x-forwarded-proto': 'https' })).toBeNull();
    } finally {
      await proxied.close();
      await direct.close();
    }
  });
});

describe('/metrics', () => {
  it('stays open by default and needs the bearer token with ZHUYUN_METRICS_TOKEN', async () => {
    const open = await startTestServer();
    const closed = await startTestServer({ ZHUYUN_METRICS_TOKEN: 'prometheus-scrape-token-1' });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
      const none = await fetch(`${closed.url}/metrics`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/ZHUYUN_METRICS_TOKEN/);
      expect((await fetch(`${closed.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
      // A session does not open it either: the token is the scraper's, not a person's.
      expect((await fetch(`${closed.url}/metrics`, { headers: { authorization: `Bearer ${closed.token}` } })).status).toBe(401);
      const ok = await fetch(`${closed.url}/metrics`, { headers: { authorization: 'Bearer prometheus-scrape-token-1' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^# HELP zhuyun_/m);
      expect((await fetch(`${closed.url}/healthz`)).status).toBe(200); // probes stay open
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
