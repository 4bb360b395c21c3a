import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RawPoint } from '@zhuyun/protocol';
import { RecordingLogger } from '../testing/recording.logger.js';
import { batchQueueContract } from './batch-queue.contract.js';
import type { QueuedBatch } from './batch-queue.js';
import { DiskBatchQueue, QUARANTINE, QUARANTINE_KEEP, SpoolError } from './disk.batch-queue.js';

const root = mkdtempSync(join(tmpdir(), 'zhuyun-spool-spec-'));
let dirs = 0;
const freshDir = () => join(root, `spool-${++dirs}`);
const made: DiskBatchQueue[] = [];
afterAll(async () => {
  await Promise.all(made.map((q) => q.close()));
  rmSync(root, { recursive: true, force: true });
});

batchQueueContract('DiskBatchQueue', async (maxPoints) => {
  const q = new DiskBatchQueue({ dir: freshDir(), maxPoints });
  made.push(q);
  await q.open();
  return q;
});

const points = (n: number, from = 0): RawPoint[] =>
  Array.from({ length: n }, (_, i) => ({ metric: 'net.latency_ms', ts: 1_764_201_600_000 + from + i, value: i / 10, tags: { district: '520103', node: `n-${from + i}` } }));
const batch = (id: string, n: number, createdAt = 1_764_201_600_000): QueuedBatch => ({ id, createdAt, points: points(n) });
const batchFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.batch.gz')).sort();

async function opened(dir: string, opts: { maxPoints?: number; maxBytes?: number; logger?: RecordingLogger } = {}) {
  const q = new DiskBatchQueue({ dir, ...opts });
  made.push(q);
  await q.open();
  return q;
}

describe('DiskBatchQueue on disk', () => {
  it('keeps batches, their ids and their order across a restart, and numbers new ones after them', async () => {
    const dir = freshDir();
    const first = await opened(dir);
    await first.put(batch('edge:boot1:1', 3, 1_000));
    await first.put(batch('edge:boot1:2', 2, 2_000));
    await first.put(batch('edge:boot1:3', 1, 3_000));
    await first.remove('edge:boot1:2');
    const sizeBefore = first.size();
    await first.close();
    expect(readdirSync(dir)).not.toContain('LOCK');

    const logger = new RecordingLogger();
    const second = await opened(dir, { logger });
    expect(second.size()).toEqual(sizeBefore);
    expect(second.size()).toMatchObject({ batches: 2, points: 4 });
    expect(second.size().bytes).toBeGreaterThan(0);
    expect(logger.messages('info')).toContain('spool: batches left by an earlier run will be sent first');
    // Read back from disk (nothing is cached in a new instance): the same batch, point for point.
    expect(await second.peek()).toEqual(batch('edge:boot1:1', 3, 1_000));
    await second.put(batch('edge:boot2:1', 5, 4_000));
    const order: string[] = [];
    for (let b = await second.peek(); b; b = await second.peek()) {
      order.push(b.id);
      await second.remove(b.id);
    }
    expect(order).toEqual(['edge:boot1:1', 'edge:boot1:3', 'edge:boot2:1']);
    expect(batchFiles(dir)).toEqual([]);
    await second.close();
  });

  it('stores each batch as a gzipped JSON file named after its sequence, age, size and id', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.put(batch('yunyan-edge-01:lx2k9a3f:42', 2, 1_764_201_600_123));
    const [file] = batchFiles(dir);
    expect(file).toMatch(/^000000000001_1764201600123_2_\d+_yunyan-edge-01:lx2k9a3f:42\.batch\.gz$/);
    expect(JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString())).toEqual(batch('yunyan-edge-01:lx2k9a3f:42', 2, 1_764_201_600_123));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await q.close();
  });

  it('quarantines and counts a torn write (a .tmp file left by a crash between write and rename)', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.put(batch('c:b:1', 2));
    await q.close();
    writeFileSync(join(dir, '000000000002_7.tmp'), Buffer.from([0x1f, 0x8b, 0x08]));
    const logger = new RecordingLogger();
    const again = await opened(dir, { logger });
    expect(again.corrupted()).toEqual({ batches: 1, points: 7 });
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(readdirSync(join(dir, QUARANTINE))).toEqual(['000000000002_7.tmp']);
    expect(logger.messages('warn')).toContain('spool: unfinished writes left by a crash moved to quarantine');
    expect((await again.peek())?.id).toBe('c:b:1');
    // The sequence goes on after the torn one: a new batch still sorts last.
    await again.put(batch('c:b:2', 1));
    expect(batchFiles(dir).at(-1)).toMatch(/^000000000003_/);
    await again.close();
  });

  it('moves a truncated or corrupt batch file to quarantine with a count, and goes on with the next', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.put(batch('c:b:1', 50));
    await q.put(batch('c:b:2', 3));
    await q.put(batch('c:b:3', 4));
    await q.put(batch('c:b:4', 1));
    await q.close();
    const [f1, f2, f3] = batchFiles(dir);
    truncateSync(join(dir, f1), 20); // cut mid-stream: gunzip fails its length check
    const bytes = readFileSync(join(dir, f2));
    bytes[bytes.length - 6] ^= 0xff; // a flipped bit: gunzip fails its CRC
    writeFileSync(join(dir, f2), bytes);
    writeFileSync(join(dir, f3), Buffer.from([])); // empty

    const logger = new RecordingLogger();
    const again = await opened(dir, { logger });
    expect(again.size()).toMatchObject({ batches: 4, points: 58 });
    expect(await again.peek()).toEqual(batch('c:b:4', 1));
    expect(again.corrupted()).toEqual({ batches: 3, points: 57 });
    expect(again.size()).toMatchObject({ batches: 1, points: 1 });
    expect(logger.messages('error').filter((m) => m === 'unreadable spool file: moved to quarantine')).toHaveLength(3);
    expect(batchFiles(dir)).toHaveLength(1);
    expect(readdirSync(join(dir, QUARANTINE))).toEqual([f1, f2, f3]);
    await again.close();
  });

  it('starts on a spool full of garbage: quarantines each file as it comes up, keeps only the newest there', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    for (let i = 1; i <= QUARANTINE_KEEP + 5; i++) await q.put(batch(`c:b:${i}`, 2));
    await q.put(batch('c:b:good', 3));
    await q.close();
    const files = batchFiles(dir);
    for (const f of files.slice(0, -1)) writeFileSync(join(dir, f), 'not gzip at all');
    const again = await opened(dir, { logger: new RecordingLogger() });
    expect((await again.peek())?.id).toBe('c:b:good');
    expect(again.corrupted()).toEqual({ batches: QUARANTINE_KEEP + 5, points: 2 * (QUARANTINE_KEEP + 5) });
    expect(readdirSync(join(dir, QUARANTINE))).toEqual(files.slice(5, -1));
    await again.close();
  });

  it('treats a file whose content does not match its name as corrupt', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.put(batch('c:b:1', 2));
    await q.put(batch('c:b:2', 2));
    await q.close();
    const [f1, f2] = batchFiles(dir);
    writeFileSync(join(dir, f1), readFileSync(join(dir, f2))); // batch 2's content under batch 1's name
    const again = await opened(dir);
    expect((await again.peek())?.id).toBe('c:b:2');
    expect(again.corrupted()).toEqual({ batches: 1, points: 2 });
    await again.close();
  });

  it('counts a batch file deleted behind its back, and keeps a file it cannot read now (I/O error) for a retry', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.put(batch('c:b:1', 2));
    await q.put(batch('c:b:2', 3));
    await q.put(batch('c:b:3', 4));
    await q.close();
    const [f1, f2] = batchFiles(dir);
    const again = await opened(dir);
    rmSync(join(dir, f1));
    // A name the spool cannot read (EISDIR): stands for EIO or EMFILE, errors that may pass.
    rmSync(join(dir, f2));
    mkdirSync(join(dir, f2));
    await expect(again.peek()).rejects.toThrow(/cannot read .*EISDIR/);
    expect(again.corrupted()).toEqual({ batches: 1, points: 2 });
    expect(again.size()).toMatchObject({ batches: 2, points: 7 });
    rmSync(join(dir, f2), { recursive: true });
    writeFileSync(join(dir, f2), 'garbage');
    expect((await again.peek())?.id).toBe('c:b:3');
    expect(again.corrupted()).toEqual({ batches: 2, points: 5 });
    await again.close();
  });

  it('ignores files it did not write', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.close();
    writeFileSync(join(dir, 'README'), 'notes of an operator');
    const again = await opened(dir);
    expect(again.size()).toMatchObject({ batches: 0 });
    expect(readdirSync(dir)).toContain('README');
    await again.close();
  });

  it('evicts the oldest batches past its byte bound, with their point counts', async () => {
    const dir = freshDir();
    const probe = await opened(freshDir());
    await probe.put(batch('c:b:0', 100));
    const perBatch = probe.size().bytes!;
    await probe.close();

    const q = await opened(dir, { maxBytes: Math.floor(perBatch * 2.5) });
    expect(await q.put(batch('c:b:1', 100))).toEqual([]);
    expect(await q.put(batch('c:b:2', 100))).toEqual([]);
    expect(await q.put(batch('c:b:3', 100))).toEqual([{ id: 'c:b:1', createdAt: 1_764_201_600_000, points: 100 }]);
    expect(q.size().batches).toBe(2);
    expect(q.size().bytes).toBeLessThanOrEqual(perBatch * 2.5);
    expect(batchFiles(dir)).toHaveLength(2);
    await q.close();
  });

  it('expires by the sealing time kept in the file name, across a restart', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.put(batch('c:b:1', 1, 1_000));
    await q.put(batch('c:b:2', 2, 5_000));
    await q.close();
    const again = await opened(dir);
    expect(await again.expire(2_000)).toEqual([{ id: 'c:b:1', createdAt: 1_000, points: 1 }]);
    expect(batchFiles(dir)).toHaveLength(1);
    await again.close();
  });

  it('refuses a directory another live agent holds, and takes over the lock of a dead one', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await expect(opened(dir)).rejects.toThrow(SpoolError);
    await expect(new DiskBatchQueue({ dir }).open()).rejects.toThrow(/in use by another agent \(pid \d+\)/);
    await q.close();

    // A lock left by a process that is gone (crash, reboot): taken over.
    const dead = spawnSync('node', ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'LOCK'), `${dead.stdout}\n`);
    const again = await opened(dir);
    expect(readFileSync(join(dir, 'LOCK'), 'utf8').split(' ')[0]).toBe(String(process.pid));
    await again.close();
  });

  it('tells a live agent of another process from a pid reused after a reboot', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await q.close();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = other.pid!;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      // The same process, this boot: an agent at work.
      writeFileSync(join(dir, 'LOCK'), `${pid} ${boot} ${started}\n`);
      await expect(new DiskBatchQueue({ dir }).open()).rejects.toThrow(`in use by another agent (pid ${pid})`);
      // Its pid, but another process (pid reused) or another boot (a LOCK from before a power cut).
      writeFileSync(join(dir, 'LOCK'), `${pid} ${boot} ${Number(started) + 1}\n`);
      await (await opened(dir)).close();
      writeFileSync(join(dir, 'LOCK'), `${pid} 00000000-0000-0000-0000-000000000000 ${started}\n`);
      await (await opened(dir)).close();
    } finally {
      other.kill();
    }
  });

  it('reports a directory it cannot create or write, naming it', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const q = new DiskBatchQueue({ dir: join(file, 'spool') });
    await expect(q.open()).rejects.toThrow(SpoolError);
    await expect(q.open()).rejects.toThrow(`spool.dir ${join(file, 'spool')}`);
    await expect(q.put(batch('c:b:1', 1))).rejects.toThrow(/spool\.dir/);
    await q.close();
  });

  it('rejects a put it cannot store, and leaves no trace of it', async () => {
    const dir = freshDir();
    const q = await opened(dir);
    await expect(q.put(batch('bad id/../x', 1))).rejects.toThrow(/cannot name a spool file/);
    expect(q.size()).toMatchObject({ batches: 0 });
    expect(readdirSync(dir).filter((f) => f !== 'LOCK')).toEqual([]);
    await q.close();
    await expect(q.put(batch('c:b:1', 1))).rejects.toThrow(/closed/);
  });
});
