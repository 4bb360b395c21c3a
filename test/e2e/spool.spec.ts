import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killHard, spawnServer } from '../support/server-process.js';
import {
  addCollector, addCounts, freePort, ledger, spoolFiles, spoolSeries, startAgent, storedSeries, until,
  type AgentProcess, type AgentSpec,
} from './spool-fleet.js';

/**
 * Issue 4: "Restart an agent with a full spool: nothing lost, nothing doubled." The agent gathers
 * while the server is down, is stopped (cleanly, then in a second case with SIGKILL), the server
 * comes up, the agent starts again on the same spool: the server ends up with every point once.
 */
const work = mkdtempSync(join(tmpdir(), 'zhuyun-spool-e2e-'));
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanup) await fn();
  rmSync(work, { recursive: true, force: true });
});

async function setup(name: string, district: string) {
  const dataDir = join(work, `${name}-data`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const id = `spool-${name}`;
  const spec: AgentSpec = { id, district, token: addCollector(dataDir, id, district), url, spoolDir: join(work, `${name}-spool`), workDir: work, seed: 7 };
  const env = { ZHUYUN_DATA_DIR: dataDir, PORT: String(port) };
  let serverOutput = () => '(server not started)';
  const startServer = async () => {
    const server = await spawnServer(env);
    serverOutput = server.output;
    cleanup.push(() => killHard(server.child));
    return server;
  };
  /** What to print when a wait times out: the agent's last lines and the server's. */
  const context = (a: AgentProcess) => () =>
    `agent:\n${a.output().split('\n').slice(-15).join('\n')}\nserver:\n${serverOutput().split('\n').slice(-15).join('\n')}`;
  const agent = (run: string): AgentProcess => {
    const a = startAgent(spec, run);
    cleanup.push(() => a.kill());
    return a;
  };
  return { dataDir, spec, startServer, agent, context };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('agent restarted with a full spool', () => {
  it('stopped cleanly while the server is down, started again once it is up: nothing lost, nothing doubled', async () => {
    const { dataDir, spec, startServer, agent, context } = await setup('clean', '520112');

    // Server down: everything the agent gathers goes to its spool.
    const first = agent('run1');
    await until('twenty batches spooled', () => spoolFiles(spec.spoolDir).length >= 20, 30_000, context(first));
    expect(await first.stop()).toBe(0);
    const run1 = first.stats();
    expect(run1).toMatchObject({ pointsSent: 0, batchesSent: 0, pointsDropped: 0 });
    expect(run1.queueBatches).toBe(run1.batchesSealed);
    expect(spoolFiles(spec.spoolDir)).toHaveLength(run1.queueBatches);
    expect(spoolSeries(spec.spoolDir)).toEqual(run1.series); // on disk: every point gathered
    expect(existsSync(join(spec.spoolDir, 'LOCK'))).toBe(false);

    const server = await startServer();
    const second = agent('run2');
    // Generous: a loaded machine may slow the first sends into a back-off of several seconds.
    await until('the old spool sent', () => second.output().includes('"msg":"collector agent started"') && spoolFiles(spec.spoolDir).length <= 2, 60_000, context(second));
    expect(second.output()).toContain('spool: batches left by an earlier run will be sent first');
    expect(await second.stop()).toBe(0);
    await killHard(server.child);

    const run2 = second.stats();
    const gathered = addCounts(run1.series, run2.series);
    expect(run2).toMatchObject({ queueBatches: 0, pointsDropped: 0, pointsRejected: 0, pointsSent: total(gathered) });
    expect(storedSeries(dataDir, spec.district)).toEqual(gathered);
    // Each batch of both runs stored once (run 1's batches kept their ids on disk).
    expect(ledger(dataDir, spec.id)).toEqual({ batches: run1.batchesSealed + run2.batchesSealed, accepted: total(gathered) });
    expect(spoolFiles(spec.spoolDir)).toEqual([]);
  }, 120_000);

  it('killed with SIGKILL while the server is down: every batch on disk is delivered once after the restart', async () => {
    const { dataDir, spec, startServer, agent, context } = await setup('kill9', '520113');

    const first = agent('run1');
    await until('twenty batches spooled', () => spoolFiles(spec.spoolDir).length >= 20, 30_000, context(first));
    await first.kill();
    // No last flush and no stats: what counts is what reached the disk (the last half second of
    // points, still in the buffer, is lost by design). The dead agent's lock stays behind.
    const onDisk = spoolSeries(spec.spoolDir);
    expect(total(onDisk)).toBeGreaterThan(0);
    expect(existsSync(join(spec.spoolDir, 'LOCK'))).toBe(true);

    const server = await startServer();
    const second = agent('run2');
    // Generous: a loaded machine may slow the first sends into a back-off of several seconds.
    await until('the old spool sent', () => second.output().includes('"msg":"collector agent started"') && spoolFiles(spec.spoolDir).length <= 2, 60_000, context(second));
    expect(await second.stop()).toBe(0);
    await killHard(server.child);

    const run2 = second.stats();
    const expected = addCounts(onDisk, run2.series);
    expect(run2).toMatchObject({ queueBatches: 0, pointsSent: total(expected) });
    // A kill in the middle of a write leaves a .tmp file: the only loss allowed, and it is counted.
    expect(run2.dropped.corrupt.batches).toBeLessThanOrEqual(1);
    expect(run2.pointsDropped).toBe(run2.dropped.corrupt.points);
    expect(storedSeries(dataDir, spec.district)).toEqual(expected);
    expect(ledger(dataDir, spec.id).accepted).toBe(total(expected));
  }, 120_000);
});
