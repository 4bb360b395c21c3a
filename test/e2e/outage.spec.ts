import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killHard, spawnServer } from '../support/server-process.js';
import { addCollector, freePort, ledger, sleep, spoolFiles, startAgent, storedSeries, until, type AgentProcess, type AgentSpec } from './spool-fleet.js';

/**
 * Issue 4: "Kill the server for a minute while three collectors run, start it again: every point
 * gathered is stored exactly once (count per series)." A full minute, as the issue asks: batches
 * pile up in every spool and the agents go through their back-off (1, 2, 4, 8, 16, 30 s).
 */
const OUTAGE_MS = 60_000;

const work = mkdtempSync(join(tmpdir(), 'zhuyun-outage-'));
const agents: AgentProcess[] = [];
let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()));
  if (server) await killHard(server.child);
  rmSync(work, { recursive: true, force: true });
});

describe('server outage with three collectors running', () => {
  it('every point gathered is stored exactly once after the server is SIGKILLed and comes back', async () => {
    const dataDir = join(work, 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { ZHUYUN_DATA_DIR: dataDir, PORT: String(port) };
    const fleet: AgentSpec[] = [
      { id: 'outage-nanming', district: '520102' },
      { id: 'outage-huaxi', district: '520111' },
      { id: 'outage-kaiyang', district: '520121' },
    ].map((c, i) => ({ ...c, token: addCollector(dataDir, c.id, c.district), url, spoolDir: join(work, `spool-${c.id}`), workDir: work, seed: i + 1 }));

    server = await spawnServer(env);
    for (const spec of fleet) agents.push(startAgent(spec, 'run'));
    const logs = () =>
      [...agents.map((a) => a.output()), server ? server.output() : '(server down)'].map((o) => o.split('\n').slice(-8).join('\n')).join('\n---\n');
    // Running and delivering: the first heartbeat and collections reached the server.
    await until('all three collectors delivering', () => agents.every((a) => a.output().includes('"msg":"collector agent started"')), 15_000, logs);
    await sleep(2_000);

    await killHard(server.child);
    server = undefined;
    const outageStart = Date.now();
    await until('the spools filling up', () => fleet.every((s) => spoolFiles(s.spoolDir).length >= 10), 30_000, logs);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
    const piledUp = fleet.map((s) => spoolFiles(s.spoolDir).length);

    server = await spawnServer(env); // same data dir, same port
    // Back-off may hold an agent up to ~16 s more; then its spool drains to the batch of the moment.
    await until(
      'every spool drained',
      () => agents.every((a) => a.output().includes('server reachable again')) && fleet.every((s) => spoolFiles(s.spoolDir).length <= 2),
      90_000,
      logs,
    );
    const codes = await Promise.all(agents.map((a) => a.stop()));
    expect(codes).toEqual([0, 0, 0]);
    await killHard(server.child);
    server = undefined;

    for (const [i, spec] of fleet.entries()) {
      const stats = agents[i].stats();
      // The outage was felt: failed sends, batches piled up on disk, and all of them delivered.
      expect(stats.batchesFailed).toBeGreaterThan(0);
      expect(piledUp[i]).toBeGreaterThanOrEqual(10);
      expect(stats).toMatchObject({ queueBatches: 0, pointsDropped: 0, pointsInvalid: 0, pointsRejected: 0 });
      expect(spoolFiles(spec.spoolDir)).toEqual([]);

      // Count per series: stored == gathered, for the probe's series and the heartbeat's alike.
      const gathered = stats.series;
      const stored = storedSeries(dataDir, spec.district);
      expect(Object.keys(gathered).length).toBeGreaterThan(12);
      expect(Object.keys(gathered).some((k) => k.startsWith('collector.up{'))).toBe(true);
      expect(stored).toEqual(gathered);

      // Exactly once at the batch level too: every batch id in the server's ledger once, and the
      // points it accepted add up to what was gathered (a batch stored twice under two ids would not).
      const total = Object.values(gathered).reduce((a, b) => a + b, 0);
      expect(stats.pointsSent).toBe(total);
      expect(ledger(dataDir, spec.id)).toEqual({ batches: stats.batchesSent, accepted: total });
    }
  }, 240_000);
});
