import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DistrictData, LiveFrame, NodeState, OverviewData, SeriesResponse } from '@zhuyun/protocol';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { sharedServices } from '../support/cluster.js';
import { influxdAvailable } from '../support/influxd.js';
import { LiveTestClient } from '../support/live-client.js';
import { postgresAvailable } from '../support/postgres.js';
import { REDIS_URL, redisAvailable } from '../support/redis.js';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';

/**
 * Two server PROCESSES sharing PostgreSQL, InfluxDB and Redis (docs/SCALE.md). Outside CI a missing
 * service skips the file loudly; with CI=true it fails.
 */
const ready = [influxdAvailable(), await postgresAvailable(), await redisAvailable()].every(Boolean);
const d = ready ? describe : describe.skip;

const repoRoot = new URL('../..', import.meta.url).pathname;
const DISTRICT = '520181';
const COLLECTOR = 'qz-edge-01';

interface Instance {
  name: string;
  dir: string;
  url: string;
  child: ChildProcess;
  output: () => string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

d('several instances over Redis', () => {
  let services: Awaited<ReturnType<typeof sharedServices>> | undefined;
  let prefix: string;
  let env: Record<string, string>;
  const dirs: string[] = [];
  const running = new Map<string, Instance>();
  let token: string;
  let collectorToken: string;
  let redis: ReturnType<typeof createClient>;
  let batchNo = 0;

  /** Starts an instance; `dir`: the data dir of one that stopped (a restart), else a new one. */
  async function start(name: string, dir?: string): Promise<Instance> {
    if (!dir) {
      dir = mkdtempSync(join(tmpdir(), `zhuyun-cluster-${name}-`));
      dirs.push(dir);
    }
    const s = await spawnServer({ ...env, ZHUYUN_DATA_DIR: dir, ZHUYUN_INSTANCE: name });
    const inst = { name, dir, ...s };
    running.set(name, inst);
    return inst;
  }

  function exited(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((r) => child.once('exit', (code) => r(code)));
  }

  const leaderKey = () => redis.get(`${prefix}:leader`);

  async function until<T>(what: string, probe: () => Promise<T | undefined | null> | T | undefined | null, ms: number): Promise<T> {
    const t0 = performance.now();
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v as T;
      if (performance.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
      await sleep(50);
    }
  }

  /** One batch of points, from the collector, to one instance; the HTTP status. */
  async function post(url: string, points: object[]): Promise<number> {
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${collectorToken}` },
      body: JSON.stringify({ collector: COLLECTOR, batch: `${COLLECTOR}:${++batchNo}`, points }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  async function seriesCount(url: string, node: string, metric: string, from: number): Promise<number> {
    const q = new URLSearchParams({ metric, node, from: new Date(from).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
    const res = await fetch(`${url}/api/v1/series?${q}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SeriesResponse;
    return body.series.reduce((n, s) => n + s.points.length, 0);
  }

  beforeAll(async () => {
    services = await sharedServices('zhuyun-cluster');
    prefix = services.env.ZHUYUN_REDIS_PREFIX;
    env = { ...services.env, ZHUYUN_SHUTDOWN_GRACE: '5s' };
    redis = createClient({ url: REDIS_URL });
    redis.on('error', () => undefined);
    await redis.connect();
    // Together, as a compose file starts them: migrations and first-start seeds must not collide.
    const [a] = await Promise.all([start('A'), start('B')]);
    token = await adminToken(a.url, env);
    const out = execFileSync('node', [join(repoRoot, 'server/dist/cli.js'), 'collector', 'add', COLLECTOR, '--district', DISTRICT], {
      env: { ...process.env, ...env, ZHUYUN_DATA_DIR: dirs[0], LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    collectorToken = out.trim().split('\n').at(-1)!;
  }, 60_000);

  afterAll(async () => {
    for (const i of running.values()) await killHard(i.child);
    await redis?.quit().catch(() => undefined);
    await services?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a browser on B sees what a collector sent to A, with the right counts in overview and district', async () => {
    const a = running.get('A')!;
    const b = running.get('B')!;
    const live = new LiveTestClient(b.url, token);
    await live.connected();
    expect((await live.subscribe(['overview', `district:${DISTRICT}`, 'node:qz-core-1'])).subscribed).toHaveLength(3);
    const now = Date.now();
    const status = await post(a.url, [
      { metric: 'net.up', ts: now, value: 1, tags: { district: DISTRICT, node: 'qz-core-1' } },
      { metric: 'net.latency_ms', ts: now, value: 7.5, tags: { district: DISTRICT, node: 'qz-core-1' } },
      { metric: 'net.up', ts: now, value: 0, tags: { district: DISTRICT, node: 'qz-acc-2' } },
    ]);
    expect(status).toBe(202);
    const node = await live.waitForFrame<NodeState>((f) => f.topic === 'node:qz-core-1' && f.data?.metrics['net.latency_ms'] === 7.5);
    expect(node.data.status).toBe('up');
    const district = await live.waitForFrame<DistrictData>((f) => f.topic === `district:${DISTRICT}` && f.data.nodes.length === 2);
    expect(Object.fromEntries(district.data.nodes.map((n) => [n.id, n.status]))).toEqual({ 'qz-core-1': 'up', 'qz-acc-2': 'down' });
    expect(district.data.unit.counts).toMatchObject({ up: 1, down: 1 });
    const overview = await live.waitForFrame<OverviewData>((f) => f.topic === 'overview' && f.data.counts.up + f.data.counts.down === 2);
    expect(overview.data.counts).toMatchObject({ up: 1, down: 1 });
    // Counted once on B (its own copy), not twice: one frame per topic per change, from B alone.
    const nodeFrames = live.frames.filter((f) => f.topic === 'node:qz-core-1');
    expect(new Set(nodeFrames.map((f) => f.seq)).size).toBe(nodeFrames.length);
    // And B's REST answers from the same shared state.
    const res = await fetch(`${b.url}/api/v1/districts`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { units: Array<{ code: string; nodes: number }> };
    expect(body.units.find((u) => u.code === DISTRICT)?.nodes).toBe(2);
    live.close();
  });

  it('alerts are evaluated once, by the leader, whichever instance took the points; a follower changes rules and acknowledges', async () => {
    const holder = await until('a leader', () => leaderKey(), 5_000);
    const follower = [...running.values()].find((i) => i.name !== holder)!;
    const leader = running.get(holder)!;
    const call = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    // A rule change on the follower reaches the leader (node down at once instead of after a minute).
    expect((await call(follower.url, 'PUT', '/api/v1/alert-rules/default-net-up-down', { forMs: 0, keepFiringMs: 0 })).status).toBe(200);
    await sleep(500);
    const live = new LiveTestClient(follower.url, token);
    await live.connected();
    await live.subscribe(['alerts']);
    try {
      // Points to the follower only: the leader hears them through Redis and fires.
      for (let i = 0; i < 4; i++) {
        expect(await post(follower.url, [{ metric: 'net.up', ts: Date.now(), value: 0, tags: { district: DISTRICT, node: 'qz-alarm-1' } }])).toBe(202);
        await sleep(300);
      }
      const isMine = (a: { node?: string; ruleId: string }) => a.ruleId === 'default-net-up-down' && a.node === 'qz-alarm-1';
      const fired = await live.waitForFrame<{ open: Array<{ id: string; node?: string; ruleId: string; state: string }> }>((f) => f.data.open.some((a) => isMine(a) && a.state === 'firing'), 10_000);
      const id = fired.data.open.find(isMine)!.id;
      // Exactly one alert, as both instances tell it.
      for (const url of [leader.url, follower.url]) {
        const list = await call(url, 'GET', '/api/v1/alerts?state=firing');
        expect(list.status).toBe(200);
        expect((list.body as Array<{ id: string; node?: string; ruleId: string }>).filter(isMine).map((a) => a.id)).toEqual([id]);
      }
      // Acknowledged on the follower; the leader keeps the acknowledgement (it re-read the alerts).
      expect((await call(follower.url, 'POST', `/api/v1/alerts/${id}/ack`, { comment: 'cluster test' })).status).toBe(200);
      await sleep(1_000);
      expect(await post(leader.url, [{ metric: 'net.up', ts: Date.now(), value: 0, tags: { district: DISTRICT, node: 'qz-alarm-1' } }])).toBe(202);
      await sleep(3_000);
      const onLeader = await call(leader.url, 'GET', `/api/v1/alerts/${id}`);
      expect(onLeader.body).toMatchObject({ ack: { by: expect.any(String) } });
      const firing = await call(leader.url, 'GET', '/api/v1/alerts?state=firing');
      expect((firing.body as Array<{ node?: string; ruleId: string }>).filter(isMine)).toHaveLength(1);
      // One transition into firing, not one per instance.
      const transitions = (onLeader.body.transitions as Array<{ to: string; kind: string }>).filter((t) => t.kind === 'state' && t.to === 'firing');
      expect(transitions).toHaveLength(1);
    } finally {
      live.close();
    }
  }, 30_000);

  it('exactly one instance leads; when it is killed, the other leads within a few seconds', async () => {
    const holder = await until('a leader', () => leaderKey(), 5_000);
    expect(['A', 'B']).toContain(holder);
    const leader = running.get(holder)!;
    const other = [...running.values()].find((i) => i.name !== holder)!;
    expect(leader.output()).toMatch(/this instance leads/);
    expect(other.output()).not.toMatch(/this instance leads/);
    const t0 = performance.now();
    await killHard(leader.child);
    running.delete(holder);
    await until('the other instance leads', async () => (await leaderKey()) === other.name, 10_000);
    const tookOverMs = performance.now() - t0;
    await until('its log says so', () => /this instance leads/.test(other.output()), 2_000);
    console.log(`cluster: leader ${holder} killed, ${other.name} led after ${Math.round(tookOverMs)} ms`);
    expect(tookOverMs).toBeLessThan(7_000);
    // The killed one comes back as a follower.
    await start(holder === 'A' ? 'A2' : 'B2');
    await sleep(1_500);
    expect(await leaderKey()).toBe(other.name);
  }, 30_000);

  it('a rolling restart loses no point and the browser on the instance that stays keeps getting frames', async () => {
    const [first, second] = [...running.values()];
    // The one restarted is the leader, the harder case (the lease moves, the SLA and alert jobs too).
    const holder = await leaderKey();
    const going = first.name === holder ? first : second;
    const staying = going === first ? second : first;
    const live = new LiveTestClient(staying.url, token);
    await live.connected();
    await live.subscribe(['overview', `district:${DISTRICT}`, 'node:qz-roll-1']);
    const gone = new LiveTestClient(going.url, token);
    await gone.connected();
    await gone.subscribe(['overview']);
    const disconnected = new Promise<string>((r) => gone.socket.once('disconnect', (reason) => r(reason)));

    const t0 = Date.now();
    let ts = t0;
    let stop = false;
    let accepted = 0;
    let refused503 = 0;
    let failedOver = 0;
    const targets = () => [...running.values()].map((i) => i.url);
    const sender = (async () => {
      for (let i = 0; !stop; i++) {
        ts = Math.max(ts + 1, Date.now());
        const point = { metric: 'net.latency_ms', ts, value: i, tags: { district: DISTRICT, node: 'qz-roll-1' } };
        // Alternately to each instance; on a refusal or a dead connection, the next one (retries).
        const tried: string[] = [];
        for (let attempt = 0; ; attempt++) {
          const urls = targets();
          const url = urls[(i + attempt) % urls.length];
          const status = await post(url, [point]).catch((err: Error) => `${err.message}: ${(err.cause as Error | undefined)?.message}`);
          tried.push(`${url} ${status}`);
          if (status === 202) {
            accepted++;
            break;
          }
          if (status === 503) refused503++;
          failedOver++;
          if (attempt > 50 || stop) {
            stop = true;
            throw new Error(`point ${i} not taken: ${tried.slice(-6).join('; ')}`);
          }
          await sleep(20);
        }
        await sleep(10);
      }
    })();

    try {
    await sleep(1_500);
    const framesBefore = live.frames.length;
    going.child.kill('SIGTERM');
    const code = await exited(going.child);
    if (code !== 0 || stop) console.log(`${going.name} output:\n${going.output().slice(-4000)}\n${staying.name}:\n${staying.output().slice(-3000)}`);
    running.delete(going.name);
    const framesAtExit = live.frames.length;
    expect(code).toBe(0);
    if (stop) await sender;
    expect(await disconnected).toBe('io server disconnect');
    expect(going.output()).toMatch(/shutting down: draining/);
    expect(going.output()).toMatch(/"msg":"shut down"/);
    // The lease was released on the way out: the other leads at once.
    await until('the staying instance leads', async () => (await leaderKey()) === staying.name, 3_000);
    // Back with the same data dir, as a rolling restart does; traffic goes on meanwhile.
    await sleep(1_000);
    const framesWhileDown = live.frames.length - framesAtExit;
    const back = await start(`${going.name}r`, going.dir);
    const framesAtBack = live.frames.length;
    await sleep(2_000);
    stop = true;
    await sender;
    // Frames kept coming on the instance that stayed, during and after the restart.
    expect(framesWhileDown).toBeGreaterThan(0);
    expect(live.frames.length).toBeGreaterThan(framesAtBack);
    await until('a frame with the last value', () => live.frames.some((f) => f.topic === 'node:qz-roll-1' && (f as LiveFrame<NodeState>).data?.metrics['net.latency_ms'] === accepted - 1), 5_000);
    gone.close();
    live.close();

    // Every accepted point is stored, read through either instance.
    const stored = await until('every point stored', async () => {
      const n = await seriesCount(back.url, 'qz-roll-1', 'net.latency_ms', t0 - 1);
      return n === accepted ? n : undefined;
    }, 10_000).catch(async () => seriesCount(staying.url, 'qz-roll-1', 'net.latency_ms', t0 - 1));
    console.log(`cluster: rolling restart of ${going.name}: ${accepted} points accepted, ${stored} stored, ${refused503} refused with 503, ${failedOver} retried elsewhere; ${live.frames.length - framesBefore} frames on ${staying.name}`);
    expect(stored).toBe(accepted);
    expect(accepted).toBeGreaterThan(50);
    } finally {
      stop = true;
      await sender.catch(() => undefined);
      live.close();
      gone.close();
    }
  }, 60_000);
});
