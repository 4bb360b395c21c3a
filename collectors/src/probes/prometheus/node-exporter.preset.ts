import { counterRate, nextSnapshot, type CounterSnapshot } from './counter.rate.js';
import type { Sample } from './exposition.parser.js';

/**
 * The `node_exporter` preset: the host metrics of DESIGN.md computed from what node_exporter
 * exposes, with the formulas of the `host` probe (collectors/src/probes/host), so a host seen
 * through node_exporter and a host with the agent on it give the same numbers:
 *
 * | metric | from |
 * | --- | --- |
 * | host.cpu_pct | node_cpu_seconds_total between two scrapes, all CPUs: busy / total, busy = total − idle − iowait |
 * | host.mem_pct | 1 − node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes (old kernels: MemFree + Buffers + Cached) |
 * | host.disk_pct {mount} | node_filesystem_*: used / (used + avail), used = size − free (as `df`) |
 * | host.net_in_bps, host.net_out_bps {interface} | node_network_{receive,transmit}_bytes_total between two scrapes × 8 |
 *
 * Pure but for its own state (the previous counters): samples and the scrape time come in.
 */

export interface NodeExporterPresetOptions {
  /** Filesystem types left out of host.disk_pct (pseudo and in-memory filesystems). */
  excludeFsTypes: RegExp;
  /** Mount points left out of host.disk_pct. */
  excludeMounts: RegExp;
  /** Network devices left out of the network rates. */
  excludeDevices: RegExp;
}

export const NODE_EXPORTER_DEFAULTS = {
  excludeFsTypes: '^(tmpfs|devtmpfs|ramfs|squashfs|overlay|nsfs|autofs|proc|sysfs|cgroup2?|fuse\\..*|iso9660)$',
  excludeMounts: '^/(dev|proc|sys|run|var/lib/docker|var/lib/containers|var/lib/kubelet|snap)($|/)',
  excludeDevices: '^(lo|veth.*|docker.*|br-.*|virbr.*|cali.*|flannel.*|cni.*)$',
} as const;

export interface DerivedPoint {
  metric: 'host.cpu_pct' | 'host.mem_pct' | 'host.disk_pct' | 'host.net_in_bps' | 'host.net_out_bps';
  value: number;
  /** Tags beyond the probe's own: `mount` for disks, `interface` for the network. */
  tags: Record<string, string>;
}

interface CpuTotals {
  busy: number;
  total: number;
}

export class NodeExporterPreset {
  private cpu: CpuTotals | undefined;
  private readonly net = new Map<string, CounterSnapshot | undefined>();

  constructor(private readonly options: NodeExporterPresetOptions) {}

  /** The derived points of one scrape taken at `at` (epoch ms). Rates need a scrape before. */
  derive(samples: readonly Sample[], at: number): DerivedPoint[] {
    const out: DerivedPoint[] = [];
    const cpu = this.cpuPct(samples);
    if (cpu !== undefined) out.push({ metric: 'host.cpu_pct', value: cpu, tags: {} });
    const mem = memPct(samples);
    if (mem !== undefined) out.push({ metric: 'host.mem_pct', value: mem, tags: {} });
    out.push(...this.diskPct(samples));
    out.push(...this.netRates(samples, at));
    return out;
  }

  private cpuPct(samples: readonly Sample[]): number | undefined {
    let total = 0;
    let idle = 0;
    let seen = false;
    for (const s of samples) {
      if (s.name !== 'node_cpu_seconds_total' || !Number.isFinite(s.value)) continue;
      seen = true;
      total += s.value;
      if (s.labels.mode === 'idle' || s.labels.mode === 'iowait') idle += s.value;
    }
    if (!seen) return undefined;
    const cur = { busy: total - idle, total };
    const prev = this.cpu;
    this.cpu = cur;
    if (!prev) return undefined;
    const dTotal = cur.total - prev.total;
    const dBusy = cur.busy - prev.busy;
    // Counters went back (a reboot, CPUs taken offline) or no time passed: no value this round.
    if (dTotal <= 0 || dBusy < 0) return undefined;
    return Math.min(100, (dBusy / dTotal) * 100);
  }

  private diskPct(samples: readonly Sample[]): DerivedPoint[] {
    type Fs = { size?: number; free?: number; avail?: number };
    const byKey = new Map<string, Fs & { mount: string }>();
    for (const s of samples) {
      const field = s.name === 'node_filesystem_size_bytes' ? 'size' : s.name === 'node_filesystem_free_bytes' ? 'free' : s.name === 'node_filesystem_avail_bytes' ? 'avail' : undefined;
      if (!field) continue;
      const mount = s.labels.mountpoint;
      if (!mount || this.options.excludeMounts.test(mount) || this.options.excludeFsTypes.test(s.labels.fstype ?? '')) continue;
      const key = `${s.labels.device}\u0000${mount}\u0000${s.labels.fstype}`;
      let fs = byKey.get(key);
      if (!fs) byKey.set(key, (fs = { mount }));
      fs[field] = s.value;
    }
    const out: DerivedPoint[] = [];
    const mounts = new Set<string>();
    for (const fs of byKey.values()) {
      // One point per mount point: a mount stacked over another shows only the top one in df too.
      if (mounts.has(fs.mount) || fs.size === undefined || fs.free === undefined || fs.avail === undefined) continue;
      const used = fs.size - fs.free;
      const usable = used + fs.avail;
      if (!(fs.size > 0) || !(usable > 0)) continue;
      mounts.add(fs.mount);
      out.push({ metric: 'host.disk_pct', value: (used / usable) * 100, tags: { mount: fs.mount } });
    }
    return out;
  }

  private netRates(samples: readonly Sample[], at: number): DerivedPoint[] {
    const out: DerivedPoint[] = [];
    const seen = new Set<string>();
    for (const s of samples) {
      const metric = s.name === 'node_network_receive_bytes_total' ? 'host.net_in_bps' : s.name === 'node_network_transmit_bytes_total' ? 'host.net_out_bps' : undefined;
      const device = s.labels.device;
      if (!metric || !device || this.options.excludeDevices.test(device)) continue;
      const key = `${metric}\u0000${device}`;
      seen.add(key);
      const cur = { value: s.value, at };
      const prev = this.net.get(key);
      const outcome = counterRate(prev, cur);
      this.net.set(key, nextSnapshot(prev, cur, outcome));
      if (outcome.kind === 'rate') out.push({ metric, value: outcome.perSecond * 8, tags: { interface: device } });
    }
    for (const key of this.net.keys()) if (!seen.has(key)) this.net.delete(key);
    return out;
  }
}

function memPct(samples: readonly Sample[]): number | undefined {
  const mem: Record<string, number> = {};
  for (const s of samples) if (s.name.startsWith('node_memory_') && Number.isFinite(s.value)) mem[s.name.slice('node_memory_'.length)] = s.value;
  const total = mem.MemTotal_bytes;
  if (!(total > 0)) return undefined;
  const available = mem.MemAvailable_bytes ?? (mem.MemFree_bytes !== undefined ? mem.MemFree_bytes + (mem.Buffers_bytes ?? 0) + (mem.Cached_bytes ?? 0) : undefined);
  if (available === undefined) return undefined;
  return Math.max(0, Math.min(100, (1 - available / total) * 100));
}
