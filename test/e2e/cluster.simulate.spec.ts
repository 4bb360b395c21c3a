import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedServices } from '../support/cluster.js';
import { influxdAvailable } from '../support/influxd.js';
import { postgresAvailable } from '../support/postgres.js';
import { redisAvailable } from '../support/redis.js';
import { killHard, spawnServer } from '../support/server-process.js';

/**
 * ZHUYUN_SIMULATE=1 on two instances over Redis (docs/SCALE.md): one simulated fleet for the
 * deployment, run by the leader; when the leader dies the next one takes the fleet over.
 */
const ready = [influxdAvailable(), await postgresAvailable(), await redisAvailable()].every(Boolean);
const d = ready ? describe : describe.skip;

const STARTED = '"msg":"simulated city fleet started"';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (text: string, s: string) => text.split(s).length - 1;

d('the simulated fleet with several instances', () => {
  let services: Awaited<ReturnType<typeof sharedServices>> | undefined;
  const dirs: string[] = [];
  const instances: Array<Awaited<ReturnType<typeof spawnServer>>> = [];

  beforeAll(async () => {
    services = await sharedServices('zhuyun-sim');
    const env = { ...services.env, ZHUYUN_SIMULATE: '1' };
    const start = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `zhuyun-sim-${name}-`));
      dirs.push(dir);
      return spawnServer({ ...env, ZHUYUN_DATA_DIR: dir, ZHUYUN_INSTANCE: name });
    };
    instances.push(...(await Promise.all([start('A'), start('B')])));
  }, 90_000);

  afterAll(async () => {
    for (const i of instances) await killHard(i.child);
    await services?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs one fleet, on the leader; the other instance takes it over when the leader dies', async () => {
    // Both asked to simulate; within a few lease periods exactly one runs the fleet.
    let running: number[] = [];
    for (let i = 0; i < 100 && running.length === 0; i++) {
      await sleep(200);
      running = instances.map((x, n) => (x.output().includes(STARTED) ? n : -1)).filter((n) => n >= 0);
    }
    await sleep(3_000); // a second fleet would have started by now
    running = instances.map((x, n) => (x.output().includes(STARTED) ? n : -1)).filter((n) => n >= 0);
    expect(running).toHaveLength(1);
    const [leader] = running;
    const other = instances[1 - leader];
    expect(other.output()).toContain('another instance leads and runs it');

    await killHard(instances[leader].child);
    const t0 = Date.now();
    while (!other.output().includes(STARTED) && Date.now() - t0 < 20_000) await sleep(200);
    expect(count(other.output(), STARTED)).toBe(1);
  }, 60_000);
});
