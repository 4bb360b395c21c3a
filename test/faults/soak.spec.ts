import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { repoRoot } from '../support/server.js';

/**
 * Issue 9, "Soak", the short version for CI: bench/soak.mjs (the same script as the ten-minute run
 * in docs/RELIABILITY.md) for about a minute at a lower rate with 100 socket clients. Asserts the
 * same properties, not timings: server memory (the floor of its RSS) grows from after the warm-up to
 * the end by less than 10 % beyond SQLite's page cache for the points (a fixed 64 MiB that fills as
 * the database grows in the first minutes, docs/RELIABILITY.md "Soak"), the server logs no error (level ≥ 50), every client got frames and stayed connected,
 * no frame was lost (no `seq` gap at any client), no POST failed. SOAK_SECONDS / SOAK_RATE /
 * SOAK_CLIENTS change the size.
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const RATE = Number(process.env.SOAK_RATE ?? 5000);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 100);
const WARMUP = Math.round(SECONDS / 3);

interface SoakSummary {
  error?: string;
  clients: number;
  growthPct: number;
  growthBeyondCachePct: number;
  rssAfterWarmupMb: number;
  rssEndMb: number;
  serverErrorLines: number;
  firstErrorLine?: string;
  framesLost: number;
  seqGaps: number;
  framesAfterWarmup: number;
  clientsWithoutFrames: number;
  clientsOpen: number;
  minFramesPerClient: number;
  postsFailed: number;
  firstPostError?: string;
  achieved: number;
}

function soak(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const args = ['bench/soak.mjs', '--minutes', String(SECONDS / 60), '--rate', String(RATE), '--clients', String(CLIENTS), '--warmup', String(WARMUP), '--sample-every', '2'];
    const child = spawn('node', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('soak, short', () => {
  it(`${SECONDS} s at ${RATE} points/s with ${CLIENTS} socket clients: bounded memory, no error logged, no frame lost`, async () => {
    const { out } = await soak();
    const last = out.trim().split('\n').at(-1) ?? '';
    let s: SoakSummary;
    try {
      s = JSON.parse(last) as SoakSummary;
    } catch {
      throw new Error(`bench/soak.mjs did not end with its JSON summary:\n${out.slice(-3000)}`);
    }
    console.log(out.split('\n').filter((l) => !l.startsWith('{')).join('\n'));
    expect(s.error).toBeUndefined();
    // Every batch was taken.
    expect(s.firstPostError).toBeUndefined();
    expect(s.postsFailed).toBe(0);
    expect(s.achieved).toBeGreaterThan(0);
    // Memory: the RSS floor from after the warm-up to the end, less the SQLite page cache's bound.
    expect(s.growthBeyondCachePct).toBeLessThan(Number(process.env.SOAK_MAX_GROWTH ?? 10));
    // No error logged by the server.
    expect(s.firstErrorLine).toBeUndefined();
    expect(s.serverErrorLines).toBe(0);
    // Every client connected throughout, got frames, and lost none.
    expect(s.clientsOpen).toBe(CLIENTS);
    expect(s.clientsWithoutFrames).toBe(0);
    expect(s.minFramesPerClient).toBeGreaterThan(0);
    expect(s.framesAfterWarmup).toBeGreaterThan(0);
    expect(s.seqGaps).toBe(0);
    expect(s.framesLost).toBe(0);
  }, (SECONDS + 90) * 1000);
});
