// docker-compose.yml checked by `docker-compose config` (no Docker engine runs here: never `up`),
// the Dockerfile's shape, the nginx config, and the compose fleet's script run for real.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/** Debian's docker-compose (1.29); null when absent outside CI, a failure under CI=true. */
function dockerCompose(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.env.CI === 'true') throw new Error('docker-compose is missing: .ci/run installs Debian package `docker-compose`');
  console.warn('\n*** SKIPPED: docker-compose not found (apt-get install docker-compose) — docker-compose.yml NOT checked ***\n');
  return null;
}

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
};

describe('docker-compose.yml', () => {
  it('parses with `docker-compose config` and names the services of the multi-instance shape', () => {
    const bin = dockerCompose();
    if (!bin) return;
    const r = spawnSync(bin, ['-f', 'docker-compose.yml', 'config'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, POSTGRES_PASSWORD: 'pg-secret', INFLUX_PASSWORD: 'influx-secret' } });
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 0, stderr: '' });
    const config = parse(r.stdout) as { services: Record<string, Service> };
    const s = config.services;
    expect(Object.keys(s).sort()).toEqual(['fleet', 'influxdb', 'postgres', 'proxy', 'redis', 'zhuyun-a', 'zhuyun-b']);
    expect(s.influxdb.image).toBe('influxdb:1.8');
    expect(s.postgres.image).toMatch(/^postgres:/);
    expect(s.redis.image).toMatch(/^redis:/);
    for (const name of ['zhuyun-a', 'zhuyun-b']) {
      const server = s[name];
      expect(server.build).toBeDefined();
      expect(server.environment).toMatchObject({
        ZHUYUN_TSDB: 'influx',
        INFLUX_URL: 'http://zhuyun:influx-secret@influxdb:8086/zhuyun',
        DATABASE_URL: 'postgres://zhuyun:pg-secret@postgres:5432/zhuyun',
        REDIS_URL: 'redis://redis:6379',
      });
      expect(server.healthcheck?.test?.join(' ')).toContain('/readyz');
      // Each instance has its own data dir (its InfluxDB outbox).
      expect(server.volumes?.some((v) => v.includes(`${name}-data`) && v.includes('/var/lib/zhuyun'))).toBe(true);
    }
    expect(s['zhuyun-a'].depends_on).toMatchObject({ influxdb: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(s['zhuyun-b'].depends_on).toMatchObject({ 'zhuyun-a': { condition: 'service_healthy' } });
    expect(s.proxy.image).toMatch(/^nginx:/);
    expect(s.proxy.volumes?.some((v) => v.includes('deploy/nginx.conf') && v.includes('/etc/nginx/conf.d/default.conf'))).toBe(true);
    expect(s.fleet.command).toEqual(['sh', 'deploy/fleet.sh']);
    expect(s.fleet.environment?.ZHUYUN_URL).toBe('http://proxy');
  });

  it('is refused by `docker-compose config` when broken (the check can fail)', () => {
    const bin = dockerCompose();
    if (!bin) return;
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-compose-'));
    try {
      const broken = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8').replace('  zhuyun-a:\n    <<: *zhuyun-server', '  zhuyun-a:\n    <<: *no-such-anchor');
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, broken);
      const r = spawnSync(bin, ['-f', file, 'config', '-q'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe('Dockerfile and deploy/', () => {
  it('builds in one stage and runs from another: production deps, dist and dashboard/dist, non-root, HEALTHCHECK on /healthz', () => {
    const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const st of stages) expect(st).toMatch(/^node:20[\w.-]*-slim\b/);
    const build = stages.find((st) => /AS build/.test(st))!;
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build\b/);
    const runtime = stages[stages.length - 1];
    expect(runtime).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=\w+[^\n]*\/app\/node_modules/);
    expect(runtime).toMatch(/COPY --from=build[^\n]*server\/dist/);
    expect(runtime).toMatch(/COPY --from=build[^\n]*dashboard\/dist/);
    // Read at run time beside dist (server/src/migration/migration.seed.ts).
    expect(runtime).toMatch(/COPY --from=build[^\n]*server\/seed/);
    expect(runtime).not.toMatch(/COPY \. \./);
    const user = [...runtime.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(user.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(user[user.length - 1]);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(runtime).toMatch(/CMD \["node", "server\/dist\/main\.js"\]/);
  });

  it('nginx passes WebSockets to both instances', () => {
    const conf = readFileSync(join(repoRoot, 'deploy/nginx.conf'), 'utf8');
    expect(conf).toMatch(/server zhuyun-a:8080/);
    expect(conf).toMatch(/server zhuyun-b:8080/);
    expect(conf).toMatch(/location \/socket\.io\/ \{[^}]*proxy_set_header Upgrade \$http_upgrade;[^}]*proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/proxy_set_header X-Request-Id/);
  });
});

describe('deploy/fleet.sh', () => {
  let server: TestServer;
  let fleet: ChildProcess | undefined;
  let dataDir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-fleet-'));
  }, 30_000);

  afterAll(async () => {
    if (fleet && fleet.exitCode === null) {
      fleet.kill('SIGTERM');
      await new Promise((r) => fleet!.once('exit', r));
    }
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers a collector per unit and runs simulate agents that report to the server', async () => {
    expect(spawnSync('sh', ['-n', 'deploy/fleet.sh'], { cwd: repoRoot }).status).toBe(0);
    const env = {
      ...process.env,
      ZHUYUN_URL: server.url,
      DATABASE_URL: `sqlite:${join(server.dataDir, 'zhuyun.sqlite')}`,
      ZHUYUN_DATA_DIR: dataDir,
      FLEET_UNITS: '520102 520103',
      FLEET_INTERVAL: '1s',
      FLEET_DIR: join(dataDir, 'fleet'),
    };
    const runFleet = async (expected: { ok: number; revoked: number }) => {
      fleet = spawn('sh', ['deploy/fleet.sh'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      fleet.stdout!.on('data', (d) => (out += d));
      fleet.stderr!.on('data', (d) => (out += d));
      const end = Date.now() + 30_000;
      let seen = { ok: -1, revoked: -1 };
      while (Date.now() < end) {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const count = (state: string) => Number(new RegExp(`^zhuyun_collectors\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
        seen = { ok: count('ok'), revoked: count('revoked') };
        if (seen.ok === expected.ok && seen.revoked === expected.revoked) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      const matched = seen.ok === expected.ok && seen.revoked === expected.revoked;
      expect({ seen, out: matched ? '' : out }).toEqual({ seen: expected, out: '' });
      fleet.kill('SIGTERM');
      const code = await new Promise((r) => fleet!.once('exit', (c, sig) => r(c ?? sig)));
      expect([0, 143, 'SIGTERM']).toContain(code);
    };
    await runFleet({ ok: 2, revoked: 0 });
    const collectors = await (await server.api('/api/v1/collectors')).json();
    expect(JSON.stringify(collectors)).toMatch(/sim-520102-\d+/);
    // A restarted fleet (new ids: the start time) revokes the previous run's collectors first.
    await new Promise((r) => setTimeout(r, 1_100));
    await runFleet({ ok: 2, revoked: 2 });
  }, 90_000);
});
