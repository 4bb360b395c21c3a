import { mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { errorMessage, silentLogger, type Logger } from '../logger.js';
import type { BatchQueue, BatchSummary, QueuedBatch, QueueSize } from './batch-queue.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface DiskBatchQueueOptions {
  /** The spool directory; created when missing. One agent per directory (a LOCK file says whose). */
  dir: string;
  /** Most points kept; beyond it the oldest batches are evicted. Default 10,000,000. */
  maxPoints?: number;
  /** Most bytes of batch files kept (compressed size); beyond it the oldest go. Default 512 MiB. */
  maxBytes?: number;
  logger?: Logger;
}

/** Thrown by `open` when the directory cannot be used; the message names the directory and the cause. */
export class SpoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpoolError';
  }
}

interface Entry {
  seq: number;
  id: string;
  createdAt: number;
  points: number;
  bytes: number;
}

/** Batch ids the spool can put in a file name: the agent's `${collector}:${boot}:${n}` always is. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
/** `<seq>_<createdAt>_<points>_<bytes>_<id>.batch.gz`: the index is rebuilt from names alone. */
const BATCH_FILE = /^(\d{12})_(\d+)_(\d+)_(\d+)_([A-Za-z0-9][A-Za-z0-9_.:-]{0,199})\.batch\.gz$/;
/** `<seq>_<points>.tmp`: a write that never reached its rename (the agent died mid-write). */
const TEMP_FILE = /^(\d{12})_(\d+)\.tmp$/;
const LOCK = 'LOCK';
/** Where unreadable batch files and torn writes go, instead of being deleted unseen. */
export const QUARANTINE = 'quarantine';
/** Files kept in quarantine/; older ones are deleted (each is counted when it goes there). */
export const QUARANTINE_KEEP = 20;
/** Directories locked by this process: the pid in LOCK cannot tell two queues of one process apart. */
const heldHere = new Set<string>();

const fileName = (e: Entry) => `${String(e.seq).padStart(12, '0')}_${e.createdAt}_${e.points}_${e.bytes}_${e.id}.batch.gz`;
const tempName = (seq: number, points: number) => `${String(seq).padStart(12, '0')}_${points}.tmp`;

/**
 * The durable BatchQueue: one gzipped JSON file per batch in `dir`, so an agent restart (or a
 * crash, or a power cut) loses nothing it had acknowledged storing.
 *
 * Why files and not SQLite: each batch is written once, read at most once and deleted, which is
 * what a directory does natively; crash safety then rests on two POSIX guarantees (a file fsync'd
 * before its rename, the directory fsync'd after it), "remove" is an unlink with nothing to compact,
 * and the agent needs no native module (better-sqlite3 compiles for a minute on every node).
 *
 * - `put`: gzip, write `<seq>_<points>.tmp`, fdatasync, rename to its final name (which carries
 *   seq, createdAt, points, bytes and id), fsync the directory. Only then does `put` resolve and
 *   the batch become visible to `peek`.
 * - `remove`: unlink, without a directory fsync: after a crash the batch may come back and be sent
 *   again, which the server deduplicates by its id (at-least-once, as everywhere else).
 * - Open: the index (not the points) is rebuilt from the file names in one `readdir`; `.tmp` files
 *   (torn writes: a crash between write and rename) are moved to `quarantine/` and counted. Files
 *   are read back only when they reach the head; one that fails gunzip's CRC and length check or
 *   does not match its name is moved to `quarantine/` and counted (`corrupted()`), and the queue
 *   goes on with the next. `quarantine/` keeps the newest QUARANTINE_KEEP files for a post-mortem.
 * - A put that cannot be stored (ENOSPC, EIO) rejects and leaves nothing behind: the caller counts
 *   the batch as dropped and goes on; the next put tries again.
 * - Bounds: points and bytes; the oldest batches are evicted first, never the one just put.
 * - The newest batch put into an empty spool is also kept in memory, so a healthy agent (put,
 *   send, remove) never reads its own files back.
 */
export class DiskBatchQueue implements BatchQueue {
  readonly dir: string;
  private readonly maxPoints: number;
  private readonly maxBytes: number;
  private readonly logger: Logger;
  /** Oldest first (ascending seq). */
  private index: Entry[] = [];
  private points = 0;
  private bytes = 0;
  private nextSeq = 1;
  private lost = { batches: 0, points: 0 };
  /** The head batch's points, when known without reading its file. */
  private head?: QueuedBatch;
  private opening?: Promise<void>;
  private dirHandle?: FileHandle;
  private closed = false;
  /** The resolved directory, once its lock is ours. */
  private locked?: string;

  constructor(options: DiskBatchQueueOptions) {
    this.dir = options.dir;
    this.maxPoints = options.maxPoints ?? 10_000_000;
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Creates the directory if needed, takes its lock and reads what an earlier run left. Called by
   * every other method; call it first to report an unusable directory before starting (the CLI
   * does). Rejects with a SpoolError naming the directory and the cause. Idempotent.
   */
  open(): Promise<void> {
    this.opening ??= this.doOpen();
    return this.opening;
  }

  async put(batch: QueuedBatch): Promise<BatchSummary[]> {
    await this.ready();
    if (!ID.test(batch.id)) throw new Error(`batch id ${JSON.stringify(batch.id)} cannot name a spool file`);
    const seq = this.nextSeq++;
    const body = await gzipAsync(JSON.stringify({ id: batch.id, createdAt: batch.createdAt, points: batch.points }));
    const entry: Entry = { seq, id: batch.id, createdAt: batch.createdAt, points: batch.points.length, bytes: body.length };
    const temp = join(this.dir, tempName(seq, entry.points));
    const final = join(this.dir, fileName(entry));
    let renamed = false;
    try {
      const fh = await open(temp, 'wx');
      try {
        await fh.writeFile(body);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(temp, final);
      renamed = true;
      await this.dirHandle!.sync();
    } catch (err) {
      // Nothing of a failed put may stay: a file left under its final name would be outside the
      // index (and its bounds) now, and sent after a restart although counted as dropped.
      await unlink(renamed ? final : temp).catch(() => {});
      throw new Error(`spool ${this.dir}: cannot store batch ${batch.id}: ${errorMessage(err)}`);
    }
    // Puts normally arrive in seq order; insert in place should two ever overlap.
    let at = this.index.length;
    while (at > 0 && this.index[at - 1].seq > seq) at--;
    this.index.splice(at, 0, entry);
    this.points += entry.points;
    this.bytes += entry.bytes;
    if (this.index.length === 1) this.head = batch;

    const evicted: BatchSummary[] = [];
    while ((this.points > this.maxPoints || this.bytes > this.maxBytes) && this.index.length > 1 && this.index[0].seq !== seq) {
      const oldest = this.index[0];
      await this.delete(oldest);
      evicted.push(summary(oldest));
    }
    return evicted;
  }

  async peek(): Promise<QueuedBatch | undefined> {
    await this.ready();
    while (this.index.length > 0) {
      const entry = this.index[0];
      if (this.head?.id === entry.id) return this.head;
      let bytes: Buffer | undefined;
      let fault: string;
      try {
        bytes = await readFile(join(this.dir, fileName(entry)));
      } catch (err) {
        // A read that fails for another reason than a missing file (EIO, EMFILE...) may work
        // next time: reject, keep the file, let the caller retry.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`spool ${this.dir}: cannot read ${fileName(entry)}: ${errorMessage(err)}`);
      }
      // Evicted or removed meanwhile by an overlapping put: not a fault, look again.
      if (this.index[0] !== entry) continue;
      if (bytes) {
        try {
          this.head = await decode(bytes, entry);
          return this.head;
        } catch (err) {
          fault = errorMessage(err);
        }
      } else {
        fault = 'the file is gone';
      }
      if (this.index[0] !== entry) continue;
      this.lost.batches++;
      this.lost.points += entry.points;
      if (bytes) {
        this.logger.error({ file: fileName(entry), points: entry.points, err: fault, to: QUARANTINE }, 'unreadable spool file: moved to quarantine');
        this.unindex(entry);
        await this.quarantine(fileName(entry));
      } else {
        this.logger.error({ file: fileName(entry), points: entry.points, err: fault }, 'spool file gone: batch counted as lost');
        this.unindex(entry);
      }
    }
    return undefined;
  }

  async remove(id: string): Promise<void> {
    await this.ready();
    const entry = this.index[0]?.id === id ? this.index[0] : this.index.find((e) => e.id === id);
    if (entry) await this.delete(entry);
  }

  async expire(cutoff: number): Promise<BatchSummary[]> {
    await this.ready();
    const expired = this.index.filter((e) => e.createdAt < cutoff);
    for (const entry of expired) await this.delete(entry);
    return expired.map(summary);
  }

  size(): QueueSize {
    return { batches: this.index.length, points: this.points, bytes: this.bytes };
  }

  corrupted(): { batches: number; points: number } {
    return { ...this.lost };
  }

  /** Releases the lock and the directory handle; the batches stay for the next run. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.opening) return;
    try {
      await this.opening;
    } catch {
      return; // never opened: nothing to release
    }
    await this.dirHandle?.close().catch(() => {});
    this.dirHandle = undefined;
    if (!this.locked) return;
    try {
      if ((await readFile(join(this.dir, LOCK), 'utf8')).split(/\s+/)[0] === String(process.pid)) await unlink(join(this.dir, LOCK));
    } catch {
      // already gone
    }
    heldHere.delete(this.locked);
  }

  private async ready(): Promise<void> {
    if (this.closed) throw new Error(`spool ${this.dir} is closed`);
    await this.open();
  }

  private async doOpen(): Promise<void> {
    try {
      await makeDir(this.dir);
      await this.lock();
      this.dirHandle = await open(this.dir, 'r');
    } catch (err) {
      if (this.locked) heldHere.delete(this.locked);
      if (err instanceof SpoolError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const hint = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ': the agent needs write access to it' : '';
      throw new SpoolError(`spool.dir ${this.dir}: ${errorMessage(err)}${hint}`);
    }
    let torn = 0;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      throw new SpoolError(`spool.dir ${this.dir}: ${errorMessage(err)}`);
    }
    for (const name of names) {
      const m = BATCH_FILE.exec(name);
      if (m) {
        this.index.push({ seq: Number(m[1]), createdAt: Number(m[2]), points: Number(m[3]), bytes: Number(m[4]), id: m[5] });
        continue;
      }
      const t = TEMP_FILE.exec(name);
      if (t) {
        // Its put never resolved, so the agent never counted the batch as stored; count it here.
        torn++;
        this.lost.batches++;
        this.lost.points += Number(t[2]);
        this.nextSeq = Math.max(this.nextSeq, Number(t[1]) + 1);
        await this.quarantine(name);
      }
    }
    this.index.sort((a, b) => a.seq - b.seq);
    for (const e of this.index) {
      this.points += e.points;
      this.bytes += e.bytes;
    }
    if (this.index.length > 0) this.nextSeq = Math.max(this.nextSeq, this.index[this.index.length - 1].seq + 1);
    if (torn > 0) this.logger.warn({ dir: this.dir, files: torn, to: QUARANTINE }, 'spool: unfinished writes left by a crash moved to quarantine');
    if (this.index.length > 0) {
      this.logger.info({ dir: this.dir, batches: this.index.length, points: this.points, bytes: this.bytes }, 'spool: batches left by an earlier run will be sent first');
    }
  }

  /**
   * One agent per directory: two would send each other's batches under the wrong token. The lock
   * holds `<pid> <boot id> <process start time>`; a lock whose process is gone (a crash) is taken
   * over, and so is one whose pid now belongs to another process: after a power cut the LOCK file
   * is still there and its pid may well be some daemon of the new boot.
   */
  private async lock(): Promise<void> {
    const path = join(this.dir, LOCK);
    const key = resolve(this.dir);
    const inUse = (pid: number) => new SpoolError(`spool.dir ${this.dir} is in use by another agent (pid ${pid}); give each agent its own directory`);
    if (heldHere.has(key)) throw inUse(process.pid);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(path, 'wx');
        try {
          await fh.writeFile(`${process.pid} ${await bootId()} ${await startTime(process.pid)}\n`);
        } catch (err) {
          // A full disk must not keep the agent from starting: an empty LOCK still holds the
          // directory against agents of this process; another process would take it over.
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          this.logger.warn({ dir: this.dir }, 'spool: disk full, the LOCK file is empty; batches will be dropped until there is room');
        } finally {
          await fh.close();
        }
        heldHere.add(key);
        this.locked = key;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      // Our own pid in a lock we do not hold: left by an earlier process that had the same pid
      // (an agent in a container is always pid 1), so stale like any other.
      const [pidText, boot, started] = (await readFile(path, 'utf8').catch(() => '')).trim().split(/\s+/);
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        const sameBoot = !boot || boot === '-' || boot === (await bootId());
        const sameProcess = !started || started === '-' || started === (await startTime(pid));
        if (sameBoot && sameProcess) throw inUse(pid);
      }
      await unlink(path).catch(() => {});
    }
    throw new SpoolError(`spool.dir ${this.dir}: could not take the lock file ${LOCK}`);
  }

  /** Takes an entry out of the index and the totals; false when it was not there (any more). */
  private unindex(entry: Entry): boolean {
    const at = this.index.indexOf(entry);
    if (at < 0) return false;
    this.index.splice(at, 1);
    this.points -= entry.points;
    this.bytes -= entry.bytes;
    if (this.head?.id === entry.id) this.head = undefined;
    return true;
  }

  /**
   * Moves a file of the spool directory into quarantine/ and keeps that directory to the newest
   * QUARANTINE_KEEP files (names start with the sequence number, so they sort oldest first). A
   * file that cannot be moved is deleted: it must not stand at the head of the queue again.
   */
  private async quarantine(name: string): Promise<void> {
    const qdir = join(this.dir, QUARANTINE);
    try {
      await mkdir(qdir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await rename(join(this.dir, name), join(qdir, name));
      const kept = (await readdir(qdir)).sort();
      for (const old of kept.slice(0, Math.max(0, kept.length - QUARANTINE_KEEP))) await unlink(join(qdir, old)).catch(() => {});
    } catch (err) {
      this.logger.warn({ file: name, err: errorMessage(err) }, 'spool: cannot move a file to quarantine; deleting it');
      await unlink(join(this.dir, name)).catch(() => {});
    }
  }

  private async delete(entry: Entry): Promise<void> {
    if (!this.unindex(entry)) return;
    try {
      await unlink(join(this.dir, fileName(entry)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn({ file: fileName(entry), err: errorMessage(err) }, 'spool: cannot delete a batch file');
      }
    }
  }
}

/** A batch file's content, checked by gunzip (CRC and length) and against its name. */
async function decode(bytes: Buffer, entry: Entry): Promise<QueuedBatch> {
  const data = JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as Partial<QueuedBatch>;
  if (data.id !== entry.id || data.createdAt !== entry.createdAt || !Array.isArray(data.points) || data.points.length !== entry.points) {
    throw new Error('content does not match the file name');
  }
  return { id: data.id, createdAt: data.createdAt, points: data.points };
}

function summary(e: Entry): BatchSummary {
  return { id: e.id, createdAt: e.createdAt, points: e.points };
}

/**
 * `mkdir -p`, by hand: Node 20's `mkdir({recursive: true})` spins forever on a path it cannot
 * create under some pseudo file systems (/proc), and an agent must fail with a message instead.
 */
async function makeDir(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw new Error(`ENOTDIR: ${dir} exists and is not a directory`);
      return;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw err;
    await makeDir(parent, depth + 1);
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

/** This boot of the machine (Linux); '-' where there is no such file. */
async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '-')).trim() || '-';
}

/** When a process started, in clock ticks since boot (Linux /proc/<pid>/stat field 22); '-' when unknown. */
async function startTime(pid: number): Promise<string> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '-';
  } catch {
    return '-';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
