/**
 * Pure readers of the Linux /proc files the host probe uses, and the arithmetic on two readings.
 * The golden tests feed them copies of this machine's files (testdata/).
 */

/** Jiffies of the aggregate `cpu` line of /proc/stat. */
export interface CpuTimes {
  /** Everything but idle and iowait. */
  busy: number;
  /** user + nice + system + idle + iowait + irq + softirq + steal (guest time is already in user/nice). */
  total: number;
}

export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** CPU use between two readings, 0..100; undefined when no time passed (or the counters went back). */
export function cpuPercent(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  if (total <= 0 || busy < 0) return undefined;
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

/**
 * Memory in use, 0..100: (MemTotal − MemAvailable) / MemTotal. MemAvailable is the kernel's own
 * estimate of what can be allocated without swapping (page cache and reclaimable slab count as
 * available); kernels before 3.14 lack it, and MemFree + Buffers + Cached stands in.
 */
export function memPercent(meminfo: string): number | undefined {
  const kb = new Map<string, number>();
  for (const line of meminfo.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kb.set(m[1], Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (!total) return undefined;
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return Math.min(100, Math.max(0, ((total - available) / total) * 100));
}

export interface InterfaceBytes {
  rx: number;
  tx: number;
}

/** Byte counters per interface from /proc/net/dev. */
export function parseNetDev(text: string): Map<string, InterfaceBytes> {
  const out = new Map<string, InterfaceBytes>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    // 8 receive fields then 8 transmit fields: bytes are the first of each.
    if (f.length < 16 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    out.set(m[1], { rx: f[0], tx: f[8] });
  }
  return out;
}

/**
 * Bits per second from two byte counters `elapsedMs` apart; undefined when the counter went back
 * (the interface was re-created, or a 32-bit counter wrapped: one sample lost beats a spike).
 */
export function bitsPerSecond(before: number, after: number, elapsedMs: number): number | undefined {
  if (elapsedMs <= 0 || after < before) return undefined;
  return ((after - before) * 8 * 1000) / elapsedMs;
}

export interface FsUsage {
  /** Block counts as statfs gives them (the block size cancels out). */
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * Disk use as `df` computes it: used / (used + available to unprivileged users), so the blocks
 * reserved for root count as neither. Undefined for a filesystem with no blocks (proc, sysfs).
 */
export function diskPercent(fs: FsUsage): number | undefined {
  const used = fs.blocks - fs.bfree;
  const denominator = used + fs.bavail;
  if (denominator <= 0) return undefined;
  return Math.min(100, Math.max(0, (used / denominator) * 100));
}
