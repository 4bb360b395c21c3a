import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../server/src/app.factory.js';
import { CollectorTokensService } from '../../server/src/auth/collector-tokens.service.js';
import { loadConfig } from '../../server/src/config/config.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface TestServer {
  app: NestExpressApplication;
  url: string;
  dataDir: string;
  /** Registers a collector and returns its token. */
  addCollector(id: string, district: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real server on a free port with a fresh data dir (real SQLite files), as `npm start` runs it
 * but for the environment given. The built dashboard is served when dashboard/dist exists.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-test-'));
  const config = loadConfig(
    { PORT: '0', HOST: '127.0.0.1', ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    { dashboardDir: join(repoRoot, 'dashboard/dist') },
  );
  const { app, url } = await startServer(config);
  return {
    app,
    url,
    dataDir,
    addCollector: (id, district) => app.get(CollectorTokensService).add(id, district),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
