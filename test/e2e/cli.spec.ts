import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/server.js';

const cli = join(repoRoot, 'server/dist/cli.js');

/** The admin CLI as an operator runs it: the built file, a data dir, stdout. */
describe('admin CLI (npm run zhuyun)', () => {
  it('adds a collector and prints its token as the last line; the token then ingests', async () => {
    expect(existsSync(cli)).toBe(true); // npm test builds first
    const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-cli-'));
    const env = { ...process.env, ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    try {
      const out = execFileSync('node', [cli, 'collector', 'add', 'xifeng-edge-01', '--district', '520122'], { env, encoding: 'utf8' });
      const token = out.trim().split('\n').at(-1)!;
      expect(token).toMatch(/^zy_[A-Za-z0-9_-]{32}$/);

      const dup = spawnSync('node', [cli, 'collector', 'add', 'xifeng-edge-01', '--district', '520122'], { env, encoding: 'utf8' });
      expect(dup.status).not.toBe(0);
      expect(dup.stderr).toMatch(/exists/);

      const bad = spawnSync('node', [cli, 'collector', 'add', 'x', '--district', '110101'], { env, encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/unknown district "110101"/);

      const list = execFileSync('node', [cli, 'collector', 'list'], { env, encoding: 'utf8' });
      expect(list).toMatch(/^xifeng-edge-01\t520122\t.*\tactive$/m);

      // The same data dir, served: the printed token is accepted.
      const { startServer } = await import('../../server/src/app.factory.js');
      const { loadConfig } = await import('../../server/src/config/config.js');
      const { app, url } = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      try {
        const res = await fetch(`${url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ collector: 'xifeng-edge-01', batch: 'b1', points: [{ metric: 'net.up', ts: Date.now(), value: 1, tags: { district: '520122', node: 'xf-core-1' } }] }),
        });
        expect(res.status).toBe(202);
      } finally {
        await app.close();
      }

      execFileSync('node', [cli, 'collector', 'revoke', 'xifeng-edge-01'], { env });
      expect(execFileSync('node', [cli, 'collector', 'list'], { env, encoding: 'utf8' })).toMatch(/revoked/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('adds a collector for several units (--units, or \'*\'), lists and audits them; its token writes there and nowhere else', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-cli-'));
    const env = { ...process.env, ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    try {
      const out = execFileSync('node', [cli, 'collector', 'add', 'city-01', '--district', '520115', '--units', '520102,520103'], { env, encoding: 'utf8' });
      expect(out).toMatch(/^collector city-01 added for 520115 and 520102, 520103; its token/);
      const token = out.trim().split('\n').at(-1)!;
      execFileSync('node', [cli, 'collector', 'add', 'platforms-01', '--district', '520115', '--units', '*'], { env, encoding: 'utf8' });
      const bad = spawnSync('node', [cli, 'collector', 'add', 'bad-01', '--district', '520115', '--units', '520102,nowhere'], { env, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/units: unknown unit "nowhere"/);

      const list = execFileSync('node', [cli, 'collector', 'list'], { env, encoding: 'utf8' });
      // Units last, so that the fourth column stays the state (deploy/fleet.sh reads it).
      expect(list).toMatch(/^city-01\t520115\t\S+\tactive\tunits=520102,520103$/m);
      expect(list).toMatch(/^platforms-01\t520115\t\S+\tactive\tunits=\*$/m);

      const { startServer } = await import('../../server/src/app.factory.js');
      const { loadConfig } = await import('../../server/src/config/config.js');
      const { app, url } = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      try {
        const at = (district: string, node: string) => ({ metric: 'net.up', ts: Date.now(), value: 1, tags: { district, node } });
        const res = await fetch(`${url}/api/v1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ collector: 'city-01', batch: 'b1', points: [at('520102', 'nm-1'), at('520103', 'yy-1'), at('520115', 'gsh-1'), at('520111', 'hx-1')] }),
        });
        const body = (await res.json()) as { accepted: number; rejected: Array<{ index: number; error: string }> };
        expect(body.accepted).toBe(3);
        expect(body.rejected).toEqual([{ index: 3, error: expect.stringMatching(/^unit 520111 is not among the units of collector city-01/) }]);
        const { AuditService } = await import('../../server/src/security/audit.service.js');
        const audit = app.get(AuditService);
        const records = await audit.list(audit.parseQuery({ action: 'collector.token.issue' }));
        expect(records.find((r) => r.target === 'city-01')).toMatchObject({ actor: 'cli', after: { district: '520115', units: ['520102', '520103'] } });
        expect(records.find((r) => r.target === 'platforms-01')).toMatchObject({ after: { district: '520115', units: '*' } });
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints usage and exits 2 on an unknown command', () => {
    const r = spawnSync('node', [cli, 'frobnicate'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/usage: npm run zhuyun/);
  });
  it('adds users: a generated password as the last line, or one from standard input; both sign in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-cli-'));
    const env = { ...process.env, ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    try {
      const out = execFileSync('node', [cli, 'user', 'add', 'wang.li', '--role', 'ops'], { env, encoding: 'utf8', input: '' });
      const generated = out.trim().split('\n').at(-1)!;
      expect(generated).toMatch(/^[A-Za-z2-9]{20}$/);
      execFileSync('node', [cli, 'user', 'add', 'yy-duty', '--role', 'district', '--district', '520103'], { env, encoding: 'utf8', input: 'Yunyan-duty-2026\n' });
      const noDistrict = spawnSync('node', [cli, 'user', 'add', 'x-duty', '--role', 'district'], { env, encoding: 'utf8', input: '' });
      expect(noDistrict.status).not.toBe(0);
      expect(noDistrict.stderr).toMatch(/district/);
      const weak = spawnSync('node', [cli, 'user', 'add', 'li.na', '--role', 'leader'], { env, encoding: 'utf8', input: 'short\n' });
      expect(weak.status).not.toBe(0);
      expect(weak.stderr).toMatch(/password: at least 10 characters/);
      expect(execFileSync('node', [cli, 'user', 'list'], { env, encoding: 'utf8' })).toMatch(/^yy-duty\tdistrict\t520103$/m);

      const { startServer } = await import('../../server/src/app.factory.js');
      const { loadConfig } = await import('../../server/src/config/config.js');
      const { app, url } = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', ZHUYUN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      try {
        const login = (username: string, password: string) =>
          fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }).then((r) => r.status);
        expect(await login('wang.li', generated)).toBe(200);
        expect(await login('yy-duty', 'Yunyan-duty-2026')).toBe(200);
        execFileSync('node', [cli, 'user', 'disable', 'wang.li'], { env, encoding: 'utf8' });
        expect(await login('wang.li', generated)).toBe(401);
      } finally {
        await app.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
