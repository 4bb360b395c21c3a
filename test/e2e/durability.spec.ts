import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';
import { repoRoot } from '../support/server.js';

describe('nothing acknowledged is lost (SQLite)', () => {
  it('every point of batches answered 202 is there after kill -9 and a restart, with its rollups', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zhuyun-kill9-'));
    const env = { ZHUYUN_DATA_DIR: dataDir };
    try {
      const out = execFileSync('node', [join(repoRoot, 'server/dist/cli.js'), 'collector', 'add', 'qz-edge-01', '--district', '520181'], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      const token = out.trim().split('\n').at(-1)!;
      const first = await spawnServer(env);
      const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
      const batches = 20;
      const perBatch = 500;
      // Batches in flight together, then kill -9 the moment the last 202 is in.
      const answers = await Promise.all(
        Array.from({ length: batches }, (_, b) =>
          fetch(`${first.url}/api/v1/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({
              collector: 'qz-edge-01',
              batch: `qz-edge-01:${b}`,
              points: Array.from({ length: perBatch }, (_, i) => ({
                metric: 'net.if_in_bps',
                ts: t0 + (b * perBatch + i) * 50,
                value: b * perBatch + i,
                tags: { district: '520181', node: 'qz-core-1' },
              })),
            }),
          }).then((r) => r.status),
        ),
      );
      await killHard(first.child);
      expect(answers).toEqual(Array(batches).fill(202));

      const second = await spawnServer(env);
      try {
        const q = `metric=net.if_in_bps&node=qz-core-1&from=${t0}&to=${t0 + batches * perBatch * 50}`;
        const auth = { headers: { authorization: `Bearer ${await adminToken(second.url, env)}` } };
        const raw = await (await fetch(`${second.url}/api/v1/series?${q}&step=raw`, auth)).json();
        expect(raw.series[0].points).toHaveLength(batches * perBatch);
        const minutes = await (await fetch(`${second.url}/api/v1/series?${q}&step=1m`, auth)).json();
        const counted = minutes.series[0].points.reduce((a: number, p: number[]) => a + p[4], 0);
        expect(counted).toBe(batches * perBatch);
      } finally {
        await killHard(second.child);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
