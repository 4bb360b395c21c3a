import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killHard, spawnServer } from '../support/server-process.js';
import { addCollector, storedSeries, until, startAgent, type AgentProcess } from '../e2e/spool-fleet.js';

/**
 * Issue 9: "A collector clock ten minutes fast: its points are rejected or corrected as the docs
 * say, visibly." The agent is a real process whose Date.now runs ten minutes ahead (a preload
 * module, as a wrong system clock would); the server refuses ts > its now + 5 min (MAX_FUTURE_MS).
 */
const SKEW_MS = 10 * 60_000;
const work = mkdtempSync(join(tmpdir(), 'zhuyun-fault-clock-'));
let agent: AgentProcess | undefined;
let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
afterAll(async () => {
  await agent?.kill();
  if (server) await killHard(server.child);
  rmSync(work, { recursive: true, force: true });
});

async function metric(url: string, line: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('a collector whose clock is ten minutes fast', () => {
  it('has every point refused, and says so: agent log and stats, server /metrics by reason', async () => {
    const dataDir = join(work, 'data');
    const env = { ZHUYUN_DATA_DIR: dataDir };
    const token = addCollector(dataDir, 'clock-fast', '520102');
    server = await spawnServer(env);
    const skew = join(work, 'skew.mjs');
    writeFileSync(skew, `const real = Date.now; Date.now = () => real() + ${SKEW_MS};\n`);
    const spec = { id: 'clock-fast', district: '520102', token, url: server.url, spoolDir: join(work, 'spool'), workDir: work, seed: 7 };
    agent = startAgent(spec, 'run', [`--import=${skew}`]);
    await until('the agent to hear the refusals', () => agent!.output().includes('server rejected some points'), 20_000, () => agent!.output() + '\n---\n' + server!.output().slice(-3000));
    await new Promise((r) => setTimeout(r, 3_000));
    const refused = await metric(server.url, 'zhuyun_ingest_rejected_points_total{reason="ts_future"}');
    expect(await agent.stop()).toBe(0);

    const out = agent.output();
    // Said once, loudly, with the likely cause; then one warning per batch with the first errors.
    expect(out.match(/clock is probably ahead/g)).toHaveLength(1);
    expect(out).toMatch(/"level":"?(50|error)"?[^\n]*clock is probably ahead/);
    expect(out).toMatch(/ts \S+ is in the future \(server time /);
    const stats = agent.stats();
    expect(stats.pointsRejected).toBeGreaterThan(0);
    expect(stats.pointsSent).toBe(0); // nothing of it stored...
    expect(stats.queueBatches).toBe(0); // ...and nothing retried forever: the batches were acknowledged
    expect(storedSeries(dataDir, '520102')).toEqual({});
    // The server counts them by reason; all but the last stop-time batch were seen by then.
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(stats.pointsRejected);
    expect(await metric(server.url, 'zhuyun_ingest_rejected_points_total{reason="ts_future"}')).toBe(stats.pointsRejected);
    console.log(`clock +10 min: ${stats.pointsRejected} points refused (${stats.batchesSent} batches acknowledged, 0 stored); /metrics ts_future ${stats.pointsRejected}`);
  }, 60_000);
});

/**
 * Issue 13 item 12: a clock five minutes slow is inside what the server accepts, so nothing is
 * refused — but its points are too old to be live and its nodes stay "unknown". The agent sends its
 * clock (x-zhuyun-sent-at); the server answers with a clock_skew warning, and the agent logs it once.
 */
describe('a collector whose clock is five minutes slow', () => {
  it('has its points stored and the skew said: a warning in the agent log, once', async () => {
    const dataDir = join(work, 'data-slow');
    const token = addCollector(dataDir, 'clock-slow', '520103');
    const slow = await spawnServer({ ZHUYUN_DATA_DIR: dataDir });
    const skew = join(work, 'skew-slow.mjs');
    writeFileSync(skew, `const real = Date.now; Date.now = () => real() - ${5 * 60_000};\n`);
    const spec = { id: 'clock-slow', district: '520103', token, url: slow.url, spoolDir: join(work, 'spool-slow'), workDir: work, seed: 8 };
    let slowAgent: AgentProcess | undefined;
    try {
      slowAgent = startAgent(spec, 'run', [`--import=${skew}`]);
      await until('the agent to hear the warning', () => slowAgent!.output().includes('server warns'), 20_000, () => slowAgent!.output() + '\n---\n' + slow.output().slice(-3000));
      await new Promise((r) => setTimeout(r, 3_000)); // more batches, each with the warning
      expect(await slowAgent.stop()).toBe(0);
      const out = slowAgent.output();
      expect(out.match(/server warns/g)).toHaveLength(1);
      expect(out).toMatch(/server warns: collector clock is [45] min \d+ s behind the server's \(by its x-zhuyun-sent-at header\)/);
      const stats = slowAgent.stats();
      expect(stats.pointsRejected).toBe(0);
      expect(stats.pointsSent).toBeGreaterThan(0);
    } finally {
      await slowAgent?.kill();
      await killHard(slow.child);
    }
  }, 60_000);
});

