import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterService } from '../../server/src/cluster/cluster.service.js';
import { freshDatabaseName, influxdAvailable, startInfluxd, type Influxd } from '../support/influxd.js';
import { freshSchema, postgresAvailable } from '../support/postgres.js';
import { redisAvailable } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Redis goes away and comes back under a running instance (its own redis-server on a free port, so
 * the shared one is not touched): the instance stays up and keeps taking points, stops leading
 * within the lease's ttl, leads and shares points again once Redis is back.
 */
const ready = [influxdAvailable(), await postgresAvailable(), await redisAvailable()].every(Boolean);
const d = ready ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

d('an instance when Redis goes away', () => {
  let influxd: Influxd;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let server: TestServer;
  let redis: ChildProcess | undefined;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-redis-'));

  async function startRedis() {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await sleep(300);
  }
  async function killRedis() {
    const r = redis!;
    if (r.exitCode === null) await new Promise((res) => (r.once('exit', res), r.kill('SIGKILL')));
  }

  async function until(what: string, cond: () => boolean, ms: number): Promise<number> {
    const t0 = performance.now();
    while (!cond()) {
      if (performance.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
      await sleep(50);
    }
    return performance.now() - t0;
  }

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    influxd = await startInfluxd();
    schema = await freshSchema();
    server = await startTestServer({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      ZHUYUN_TSDB: 'influx',
      INFLUX_URL: `${influxd.url}/${freshDatabaseName()}`,
      DATABASE_URL: schema.url,
      ZHUYUN_INSTANCE: 'solo',
      LOG_LEVEL: 'error',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (redis) await killRedis();
    await schema?.drop();
    await influxd?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('keeps ingesting, stops leading within the ttl, leads and shares again when Redis is back', async () => {
    const cluster = server.app.get(ClusterService);
    const token = await server.addCollector('qz-edge-01', '520181');
    const post = async (value: number) => {
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ collector: 'qz-edge-01', batch: `b-${value}`, points: [{ metric: 'net.up', ts: Date.now(), value, tags: { district: '520181', node: 'qz-core-1' } }] }),
      });
      return res.status;
    };
    await until('leads', () => cluster.isLeader(), 3_000);
    expect(await post(1)).toBe(202);
    expect(cluster.stats.published).toBe(1);

    await killRedis();
    const stepDown = await until('stops leading', () => !cluster.isLeader(), 8_000);
    expect(stepDown).toBeLessThan(6_000);
    // Storage and the live status go on without Redis.
    expect(await post(0)).toBe(202);
    expect((await (await server.api('/api/v1/districts')).json()).units.find((u: { code: string }) => u.code === '520181').counts.down).toBe(1);

    await startRedis();
    const back = await until('leads again', () => cluster.isLeader(), 15_000);
    expect(await post(1)).toBe(202);
    await until('shares points again', () => cluster.stats.published >= 2, 3_000);
    console.log(`redis outage: stopped leading ${Math.round(stepDown)} ms after Redis died, led again ${Math.round(back)} ms after it was back; ${cluster.stats.dropped} point(s) not shared meanwhile`);
  }, 60_000);
});
