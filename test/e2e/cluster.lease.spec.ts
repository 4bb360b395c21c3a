import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { LeaderLease } from '../../server/src/cluster/leader-lease.js';
import { dropPrefix, freshPrefix, REDIS_URL, redisAvailable } from '../support/redis.js';

/** The leader lease (server/src/cluster/leader-lease.ts) against the real local Redis. */
const d = (await redisAvailable()) ? describe : describe.skip;

type Client = ReturnType<typeof createClient>;

d('leader lease in Redis', () => {
  const clients: Client[] = [];
  const leases: LeaderLease[] = [];
  const prefixes: string[] = [];

  async function client(): Promise<Client> {
    const c = createClient({ url: REDIS_URL });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  async function lease(key: string, holder: string, c?: Client, ttlMs = 600) {
    const l = new LeaderLease(c ?? (await client()), { key, holder, ttlMs, renewMs: 150 });
    leases.push(l);
    return l;
  }

  function key() {
    const p = freshPrefix('lease');
    prefixes.push(p);
    return `${p}:leader`;
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until(cond: () => boolean, ms: number): Promise<number> {
    const t0 = performance.now();
    while (!cond()) {
      if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
      await sleep(20);
    }
    return performance.now() - t0;
  }

  afterEach(async () => {
    for (const l of leases.splice(0)) await l.stop();
    for (const c of clients.splice(0)) await c.quit().catch(() => undefined);
  });
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(p);
  });

  it('gives the lease to exactly one of three instances, and says so to onChange', async () => {
    const k = key();
    const heard: Array<[string, boolean]> = [];
    const ls = await Promise.all(['a', 'b', 'c'].map((h) => lease(k, h)));
    ls.forEach((l, i) => l.onChange((v) => heard.push([['a', 'b', 'c'][i], v])));
    await Promise.all(ls.map((l) => l.start()));
    await sleep(500);
    expect(ls.filter((l) => l.isLeader())).toHaveLength(1);
    const leader = ['a', 'b', 'c'][ls.findIndex((l) => l.isLeader())];
    expect(heard).toEqual([[leader, true]]);
    const c = await client();
    expect(await c.get(k)).toBe(leader);
    // Renewed: still the same leader well past the ttl.
    await sleep(1_000);
    expect(ls.filter((l) => l.isLeader())).toHaveLength(1);
    expect(await c.get(k)).toBe(leader);
  });

  it('hands over at once when the leader stops (released), and within ttl + renew when it dies', async () => {
    const k = key();
    const a = await lease(k, 'a');
    await a.start();
    const b = await lease(k, 'b');
    await b.start();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    await a.stop();
    const released = await until(() => b.isLeader(), 2_000);
    expect(released).toBeLessThan(400);
    // b dies without a word: its client is gone, its key expires.
    const c = new LeaderLease(await client(), { key: k, holder: 'c', ttlMs: 600, renewMs: 150 });
    leases.push(c);
    await c.start();
    expect(c.isLeader()).toBe(false);
    // Simulate a dead process: stop renewing without releasing.
    (b as unknown as { stopped: boolean }).stopped = true;
    clearTimeout((b as unknown as { timer: NodeJS.Timeout }).timer);
    const tookOver = await until(() => c.isLeader(), 3_000);
    expect(tookOver).toBeLessThan(600 + 150 + 300);
  });

  it('never renews or releases a lease another instance holds', async () => {
    const k = key();
    const c = await client();
    await c.set(k, 'someone-else', { PX: 10_000 });
    const a = await lease(k, 'a');
    await a.start();
    expect(a.isLeader()).toBe(false);
    await a.stop();
    expect(await c.get(k)).toBe('someone-else');
  });

  it('steps down when its key was taken (it paused longer than the ttl)', async () => {
    const k = key();
    const c = await client();
    const a = await lease(k, 'a');
    const changes: boolean[] = [];
    a.onChange((v) => changes.push(v));
    await a.start();
    expect(a.isLeader()).toBe(true);
    await c.set(k, 'intruder', { PX: 10_000 });
    await until(() => !a.isLeader(), 1_000);
    expect(changes).toEqual([true, false]);
    expect(await c.get(k)).toBe('intruder');
  });

  it('stops leading when Redis is unreachable for longer than the ttl', async () => {
    const k = key();
    const c = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
    c.on('error', () => undefined);
    await c.connect();
    const a = new LeaderLease(c, { key: k, holder: 'a', ttlMs: 600, renewMs: 150 });
    leases.push(a);
    await a.start();
    expect(a.isLeader()).toBe(true);
    c.destroy();
    await until(() => !a.isLeader(), 1_500);
  });
});
