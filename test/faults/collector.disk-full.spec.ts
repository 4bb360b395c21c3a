import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep, spoolFiles, startAgent, until, type AgentProcess } from '../e2e/spool-fleet.js';

/**
 * Issue 9: "A collector's spool disk full: the drop counter rises, the agent keeps running." An
 * agent process with its spool on a 128 KiB tmpfs and no server at all (every batch stays on disk):
 * the disk fills within seconds. Mounting needs root (CAP_SYS_ADMIN): elsewhere the test says so
 * and skips; in CI (CI=true) it fails instead.
 */
const root = mkdtempSync(join(tmpdir(), 'zhuyun-fault-disk-'));
const spool = join(root, 'spool');
let mounted = false;
{
  mkdirSync(spool);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k,mode=0700', 'tmpfs', spool], { encoding: 'utf8' });
  mounted = r.status === 0;
  if (!mounted && process.env.CI !== 'true') {
    console.warn(`\n*** cannot mount a tmpfs for the spool (${r.stderr.trim() || r.error?.message}; needs root): the full-disk agent fault test is skipped ***\n`);
  }
}
const d = mounted || process.env.CI === 'true' ? describe : describe.skip;
let agent: AgentProcess | undefined;
afterAll(async () => {
  await agent?.kill();
  if (mounted) spawnSync('umount', [spool]);
  rmSync(root, { recursive: true, force: true });
});

d('a collector whose spool disk is full', () => {
  it('counts the batches it cannot store as dropped (store_failed) and goes on collecting', async () => {
    expect(mounted).toBe(true);
    const port = await freePort(); // nobody listens: the server is down for the whole test
    agent = startAgent(
      { id: 'disk-full', district: '520102', token: 'zy_c_unused', url: `http://127.0.0.1:${port}`, spoolDir: spool, workDir: root, seed: 3 },
      'run',
    );
    await until('the disk full', () => agent!.output().includes('store_failed') || /ENOSPC/.test(agent!.output()), 60_000, () => agent!.output().slice(-3000));
    const filesAtFull = spoolFiles(spool).length;
    await sleep(4_000); // still running, still collecting, still dropping
    expect(agent.child.exitCode).toBeNull();
    expect(await agent.stop()).toBe(0);
    const stats = agent.stats();
    expect(stats.dropped.store_failed.batches).toBeGreaterThan(2);
    expect(stats.dropped.store_failed.points).toBeGreaterThan(0);
    expect(stats.pointsDropped).toBeGreaterThanOrEqual(stats.dropped.store_failed.points);
    // What was stored before the disk filled is still there, intact, for when the server returns.
    expect(spoolFiles(spool).length).toBeGreaterThanOrEqual(filesAtFull - 1);
    expect(stats.queueBatches).toBe(spoolFiles(spool).length);
    expect(stats.pointsCollected).toBeGreaterThan(stats.dropped.store_failed.points);
    console.log(
      `disk full: ${spoolFiles(spool).length} batch files kept on the 128 KiB spool; ${stats.dropped.store_failed.batches} batches (${stats.dropped.store_failed.points} points) dropped as store_failed; ${stats.pointsCollected} points collected; exit 0`,
    );
  }, 90_000);
});
