import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';

/**
 * Issue 13 item 11, "Readiness tells the truth": with a damaged tsdb.sqlite or a full disk every
 * write got 503 while /readyz said ready. Real server processes, a real SQLite file, a real full
 * disk (a small tmpfs; mounting needs root: elsewhere that test says so and skips, in CI it fails).
 */
const SERVER = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const roots: string[] = [];
const mounts: string[] = [];
const children: Array<Parameters<typeof killHard>[0]> = [];
afterAll(async () => {
  for (const c of children) await killHard(c);
  for (const m of mounts) spawnSync('umount', [m]);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const tempRoot = () => {
  const r = mkdtempSync(join(tmpdir(), 'zhuyun-fault-tsdb-'));
  roots.push(r);
  return r;
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function readyz(url: string) {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> } };
}

/** A server process with its time-series file in `dataDir` and its relational file elsewhere. */
async function start(dataDir: string, relDir: string) {
  const env = { ZHUYUN_DATA_DIR: dataDir, DATABASE_URL: `sqlite:${join(relDir, 'zhuyun.sqlite')}` };
  const proc = await spawnServer(env);
  children.push(proc.child);
  const admin = await adminToken(proc.url, env);
  const issued = await fetch(`${proc.url}/api/v1/collectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ id: 'fault-edge-01', district: '520103' }),
  });
  expect(issued.status).toBe(201);
  const { token } = (await issued.json()) as { token: string };
  let batch = 0;
  /** One batch of `n` points on `n` new series (new pages in the file); resolves with the status. */
  const ingest = async (n = 2_000) => {
    const b = ++batch;
    const ts = Date.now();
    const points = Array.from({ length: n }, (_, i) => ({ metric: 'net.latency_ms', ts, value: i, tags: { district: '520103', node: `n-${b}-${i}`, target: `t-${b}-${i}-${'x'.repeat(40)}` } }));
    const res = await fetch(`${proc.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ collector: 'fault-edge-01', batch: `b-${b}`, points }),
    });
    await res.text();
    return res.status;
  };
  return { ...proc, ingest };
}

describe('a damaged file at start is named', () => {
  it.each([
    ['tsdb.sqlite', (dir: string) => join(dir, 'tsdb.sqlite')],
    ['zhuyun.sqlite', (dir: string) => join(dir, 'zhuyun.sqlite')],
  ])('%s full of garbage: the server exits non-zero and its stderr names the file', (_name, file) => {
    const dir = tempRoot();
    const path = file(dir);
    writeFileSync(path, Buffer.alloc(16_384, 'not a database '));
    const r = spawnSync('node', [SERVER], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ZHUYUN_SIMULATE: '0', ZHUYUN_DATA_DIR: dir, LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal).toBeNull(); // it exited by itself, it did not hang until the timeout
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/file is not a database/);
  }, 70_000);
});

describe('a tsdb.sqlite damaged while the server runs', () => {
  it('writes fail and /readyz says not ready, naming the write failure', async () => {
    const root = tempRoot();
    const dataDir = join(root, 'data');
    const relDir = join(root, 'rel');
    mkdirSync(relDir, { recursive: true });
    const server = await start(dataDir, relDir);
    expect(await server.ingest(500)).toBe(202);
    expect((await readyz(server.url)).status).toBe(200);
    const path = join(dataDir, 'tsdb.sqlite');
    // Everything into the main file, then every page but the first (the header and the schema)
    // overwritten with garbage, then a change of the header by a second connection: the server's
    // connection sees the file changed, drops its page cache and reads the damaged pages.
    const other = new Database(path);
    other.pragma('wal_checkpoint(TRUNCATE)');
    const fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    const garbage = Buffer.alloc(4096, 0xa5);
    for (let at = 4096; at < size; at += 4096) writeSync(fd, garbage, 0, 4096, at);
    closeSync(fd);
    other.pragma('user_version = 1');
    other.close();
    const status = await server.ingest(500);
    expect(status).toBe(503);
    const r = await readyz(server.url);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('not_ready');
    expect(r.body.checks['tsdb-write']).toMatchObject({ ok: false, error: expect.stringMatching(/writes to the time-series store fail since .*malformed/) });
  }, 120_000);
});

// A full disk: tsdb.sqlite on a 24 MiB tmpfs, the relational file elsewhere.
const fullRoot = mkdtempSync(join(tmpdir(), 'zhuyun-fault-full-'));
roots.push(fullRoot);
const fullData = join(fullRoot, 'data');
mkdirSync(fullData);
let mounted = false;
{
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0700', 'tmpfs', fullData], { encoding: 'utf8' });
  mounted = r.status === 0;
  if (mounted) mounts.push(fullData);
  else if (process.env.CI !== 'true') {
    console.warn(`\n*** cannot mount a tmpfs for the data dir (${r.stderr.trim() || r.error?.message}; needs root): the full-disk readiness test is skipped ***\n`);
  }
}
const onTmpfs = mounted || process.env.CI === 'true' ? describe : describe.skip;

onTmpfs('the time-series disk full', () => {
  it('writes get 503, /readyz goes not ready with the reason, and comes back by itself once space is freed', async () => {
    expect(mounted).toBe(true);
    const relDir = join(fullRoot, 'rel');
    mkdirSync(relDir);
    const server = await start(fullData, relDir);
    expect(await server.ingest(500)).toBe(202);
    // Fill the disk with a file, as another process would.
    const filler = join(fullData, 'filler');
    const dd = spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { encoding: 'utf8' });
    expect(dd.stderr).toMatch(/No space left on device/);
    // Writes until one finds no room (the WAL may still have some).
    let status = 202;
    for (let i = 0; i < 50 && status === 202; i++) status = await server.ingest();
    expect(status).toBe(503);
    const down = await readyz(server.url);
    expect(down.status).toBe(503);
    expect(down.body.checks['tsdb-write']).toMatchObject({ ok: false, error: expect.stringMatching(/writes to the time-series store fail since .*full/) });
    // Space freed; no write comes in (a load balancer sends none to a not-ready instance): the
    // probe write finds the disk usable and the instance becomes ready by itself.
    rmSync(filler);
    const up = await until('ready again', async () => {
      const r = await readyz(server.url);
      return r.status === 200 ? r : undefined;
    }, 90_000);
    expect(up.body.checks['tsdb-write']).toEqual({ ok: true });
    expect(await server.ingest(500)).toBe(202);
  }, 180_000);
});
