import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killHard, spawnServer } from '../support/server-process.js';
import { addCollector, freePort, ledger, sleep, spoolFiles, startAgent, storedSeries, until, type AgentProcess, type AgentSpec } from '../e2e/spool-fleet.js';

/**
 * Issue 9: "kill -9 of the server mid-ingest while collectors spool: every point stored exactly
 * once." Two collector agents (processes, disk spools) and a burst writer (this test: 2,000-point
 * batches back to back, each retried under its own batch id until acknowledged, as an agent does).
 * The server is SIGKILLed while a burst request is in flight, stays down OUTAGE_MS, and comes back
 * on the same data dir and port. FAULT_LONG=1 holds the outage for the full two minutes.
 */
const OUTAGE_MS = process.env.FAULT_LONG === '1' ? 120_000 : 8_000;
const BURST_POINTS = 2_000;
const BURST_NODES = 20;

const work = mkdtempSync(join(tmpdir(), 'zhuyun-fault-kill-'));
const agents: AgentProcess[] = [];
let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
afterAll(async () => {
  await Promise.all(agents.map((a) => a.kill()));
  if (server) await killHard(server.child);
  rmSync(work, { recursive: true, force: true });
});

describe('kill -9 of the server during a burst of ingest', () => {
  it('stores every point exactly once: the burst writer and the spooling agents alike', async () => {
    const dataDir = join(work, 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { ZHUYUN_DATA_DIR: dataDir, PORT: String(port) };
    const fleet: AgentSpec[] = [
      { id: 'kill-nanming', district: '520102' },
      { id: 'kill-huaxi', district: '520111' },
    ].map((c, i) => ({ ...c, token: addCollector(dataDir, c.id, c.district), url, spoolDir: join(work, `spool-${c.id}`), workDir: work, seed: i + 1 }));
    const burstToken = addCollector(dataDir, 'kill-burst', '520103');

    server = await spawnServer(env);
    for (const spec of fleet) agents.push(startAgent(spec, 'run'));
    const logs = () => [...agents.map((a) => a.output()), server ? server.output() : '(server down)'].map((o) => o.split('\n').slice(-8).join('\n')).join('\n---\n');
    await until('both agents started', () => agents.every((a) => a.output().includes('"msg":"collector agent started"')), 15_000, logs);

    // The burst writer: batch k holds BURST_POINTS points over BURST_NODES series, timestamps unique per series.
    const t0 = Date.now() - 3_600_000;
    const sent: Record<string, number> = {};
    let acked = 0;
    let inFlight = false;
    let failedInFlight = 0;
    let attempts = 0;
    let attemptAtKill = -1;
    let killedRequestFailed = false;
    let stopWriter = false;
    let batches = 0;
    const writer = (async () => {
      for (let k = 0; !stopWriter || k < batches; k++) {
        if (stopWriter && k >= batches) break;
        batches = Math.max(batches, k + 1);
        const points = Array.from({ length: BURST_POINTS }, (_, i) => ({
          metric: 'net.latency_ms', ts: t0 + k * 100 + (i % 100), value: k + i / 1000,
          tags: { district: '520103', node: `burst-${Math.floor(i / 100) % BURST_NODES}`, target: 'city-core' },
        }));
        const body = JSON.stringify({ collector: 'kill-burst', batch: `kill-burst:${k}`, points });
        for (;;) {
          inFlight = true;
          const attempt = ++attempts;
          try {
            const res = await fetch(`${url}/api/v1/ingest`, {
              method: 'POST', body, signal: AbortSignal.timeout(10_000),
              headers: { 'content-type': 'application/json', authorization: `Bearer ${burstToken}` },
            });
            const r = (await res.json()) as { accepted: number };
            if (res.status === 202) {
              if (r.accepted !== BURST_POINTS) throw new Error(`batch ${k}: accepted ${r.accepted}`);
              break;
            }
          } catch (err) {
            if ((err as Error).message.startsWith('batch')) throw err;
            if (!server) failedInFlight++;
            if (attempt === attemptAtKill) killedRequestFailed = true;
          } finally {
            inFlight = false;
          }
          await sleep(250);
        }
        acked++;
        for (const p of points) {
          const key = `net.latency_ms{district=520103,node=${p.tags.node},target=city-core,unit=520103}`; // seriesKey after validation (unit added)
          sent[key] = (sent[key] ?? 0) + 1;
        }
        if (stopWriter) break;
      }
    })();

    await until('a few burst batches through', () => acked >= 5, 30_000, logs);
    await until('a burst request in flight', () => inFlight, 5_000);
    await sleep(3); // inside the request: the body is being sent or stored
    const victim = server;
    server = undefined;
    attemptAtKill = attempts;
    await killHard(victim.child);
    const ackedAtKill = acked;
    await until('the spools filling up', () => fleet.every((s) => spoolFiles(s.spoolDir).length >= 3), 30_000, logs);
    await sleep(Math.max(0, OUTAGE_MS - 3_000));
    const piledUp = fleet.map((s) => spoolFiles(s.spoolDir).length);

    server = await spawnServer(env);
    await until('the burst writer going again', () => acked >= ackedAtKill + 5, 60_000, logs);
    stopWriter = true;
    await writer;
    await until(
      'every spool drained',
      () => agents.every((a) => a.output().includes('server reachable again')) && fleet.every((s) => spoolFiles(s.spoolDir).length <= 2),
      90_000,
      logs,
    );
    const codes = await Promise.all(agents.map((a) => a.stop()));
    expect(codes).toEqual([0, 0]);
    await killHard(server.child);
    server = undefined;

    // The kill hit a request in flight; its batch was sent again and stored once.
    expect(killedRequestFailed).toBe(true);
    expect(storedSeries(dataDir, '520103')).toEqual(sent);
    expect(ledger(dataDir, 'kill-burst')).toEqual({ batches: acked, accepted: acked * BURST_POINTS });

    for (const [i, spec] of fleet.entries()) {
      const stats = agents[i].stats();
      expect(stats.batchesFailed).toBeGreaterThan(0);
      expect(piledUp[i]).toBeGreaterThanOrEqual(3);
      expect(stats).toMatchObject({ queueBatches: 0, pointsDropped: 0, pointsInvalid: 0, pointsRejected: 0 });
      expect(storedSeries(dataDir, spec.district)).toEqual(stats.series);
      const total = Object.values(stats.series).reduce((a, b) => a + b, 0);
      expect(ledger(dataDir, spec.id)).toEqual({ batches: stats.batchesSent, accepted: total });
    }
    console.log(
      `kill -9: ${acked} burst batches (${acked * BURST_POINTS} points, ${ackedAtKill} before the kill, ${failedInFlight} failed sends in the outage); ` +
        `agents piled up ${piledUp.join('/')} batch files over ${OUTAGE_MS / 1000} s; the request in flight at the kill failed and was sent again; stored == sent for the ${Object.keys(sent).length} burst series and both agents' series`,
    );
  }, OUTAGE_MS + 180_000);
});
