import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type CreateAppOptions } from '../../server/src/app.factory.js';
import { CollectorTokensService } from '../../server/src/auth/collector-tokens.service.js';
import { loadConfig } from '../../server/src/config/config.js';
import { AccountsService } from '../../server/src/security/accounts.service.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface TestServer {
  app: NestExpressApplication;
  url: string;
  dataDir: string;
  /** Registers a collector and returns its token. */
  addCollector(id: string, district: string, units?: readonly string[] | '*'): Promise<string>;
  /** A session token of an admin made at start (`test-admin`), for the API and the live socket. */
  token: string;
  /** fetch on this server with the admin's bearer token (headers given win). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Creates a user with a role (and district / operator) and returns a session token for it. */
  login(role: string, scope?: { district?: string; operator?: string }): Promise<string>;
  /** Stops the server and deletes its data dir. */
  close(): Promise<void>;
  /** Stops the server and keeps its data dir (a restart: start again with ZHUYUN_DATA_DIR). */
  stop(): Promise<void>;
}

/**
 * A real server on a free port with a fresh data dir (real SQLite files), as `npm start` runs it
 * but for the environment given. The built dashboard is served when dashboard/dist exists.
 */
export async function startTestServer(env: Record<string, string> = {}, opts: CreateAppOptions = {}): Promise<TestServer> {
  const dataDir = env.ZHUYUN_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'zhuyun-test-'));
  const config = loadConfig(
    // The tests that simulate count and name the small fleet's nodes (520121-core-1, 520121-acc-1):
    // they get it unless they ask for the city (ZHUYUN_SIMULATE_FLEET=city).
    // The first start's simulated history (ZHUYUN_SIMULATE_HISTORY) is off unless a spec asks for it:
    // the other specs' servers start as fast as before and their months stay empty.
    { PORT: '0', HOST: '127.0.0.1', ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ZHUYUN_SIMULATE_FLEET: 'small', ZHUYUN_SIMULATE_HISTORY: '0', ...env },
    { dashboardDir: join(repoRoot, 'dashboard/dist') },
  );
  const { app, url } = await startServer(config, opts);
  const accounts = app.get(AccountsService);
  let users = 0;
  const existing = new Set((await accounts.listUsers()).map((u) => u.username));
  const login = async (role: string, scope: { district?: string; operator?: string } = {}) => {
    // test-admin-1, test-ops-2...; a restarted server (same data dir) goes on counting.
    let username: string;
    do username = `test-${role}-${++users}`;
    while (existing.has(username));
    existing.add(username);
    const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    await accounts.addUser({ username, role, password, ...scope }, 'test');
    return (await accounts.login({ username, password }, '127.0.0.1')).token;
  };
  const token = await login('admin');
  return {
    app,
    url,
    dataDir,
    token,
    login,
    api: (path, init = {}) => fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...((init.headers as Record<string, string>) ?? {}) } }),
    addCollector: (id, district, units) => app.get(CollectorTokensService).add(id, district, { units }),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async stop() {
      await app.close();
    },
  };
}
