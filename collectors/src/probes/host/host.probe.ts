import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { PLATFORMS, type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import {
  bitsPerSecond,
  cpuPercent,
  diskPercent,
  memPercent,
  parseNetDev,
  parseProcStat,
  type CpuTimes,
  type FsUsage,
  type InterfaceBytes,
} from './proc.parser.js';
import { NODE_ID, districtOption } from '../options.js';

export type HostResource = 'cpu' | 'mem' | 'disk' | 'net';

export interface HostProbeOptions {
  node: string;
  district?: string;
  /** `platform` tag (cloud hosts: `cloud`); none by default. */
  platform?: string;
  /** What to measure. Default all four. */
  collect?: readonly HostResource[];
  /** Mount points for host.disk_pct. Default ['/']. */
  mounts?: readonly string[];
  /** Interfaces for host.net_*; names or `prefix*`. Default: every interface but `lo`. */
  interfaces?: readonly string[];
  /** Where procfs is mounted (a container reading its host's: /host/proc). Default /proc. */
  procRoot?: string;
}

/** The probe's I/O seam: the files it reads, the filesystem query and a monotonic clock. */
export interface HostIo {
  readFile(path: string): Promise<string>;
  statfs(path: string): Promise<FsUsage>;
  /** Milliseconds from an arbitrary origin that never jumps (not the wall clock). */
  monotonicMs(): number;
}

export const systemHostIo: HostIo = {
  readFile: (path) => readFile(path, 'utf8'),
  statfs: (path) => statfs(path),
  monotonicMs: () => performance.now(),
};

/**
 * CPU, memory, disk and network of the machine the agent runs on, from /proc and statfs (Linux).
 * CPU and network are rates: the first collection only takes the starting readings, so they
 * appear from the second one on. See README.md.
 */
export class HostProbe implements Probe {
  readonly type = 'host';
  private readonly io: HostIo;
  private readonly resources: ReadonlySet<HostResource>;
  private readonly proc: string;
  private lastCpu: CpuTimes | undefined;
  private lastNet: { at: number; bytes: Map<string, InterfaceBytes> } | undefined;
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly options: HostProbeOptions,
    private readonly logger: Logger,
    io: Partial<HostIo> = {},
  ) {
    this.io = { ...systemHostIo, ...io };
    this.resources = new Set(options.collect ?? ['cpu', 'mem', 'disk', 'net']);
    this.proc = options.procRoot ?? '/proc';
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const base: Record<string, string> = { district: this.options.district ?? ctx.collector.district, node: this.options.node };
    if (this.options.platform) base.platform = this.options.platform;
    const points: RawPoint[] = [];
    const add = (metric: string, value: number | undefined, extra: Record<string, string> = {}) => {
      if (value !== undefined && Number.isFinite(value)) points.push({ metric, ts: ctx.now, value: round2(value), tags: { ...base, ...extra } });
    };

    if (this.resources.has('cpu')) {
      const now = await this.read('cpu', 'stat', parseProcStat);
      if (now) {
        if (this.lastCpu) add('host.cpu_pct', cpuPercent(this.lastCpu, now));
        this.lastCpu = now;
      }
    }
    if (this.resources.has('mem')) {
      add('host.mem_pct', await this.read('mem', 'meminfo', memPercent));
    }
    if (this.resources.has('disk')) {
      for (const mount of this.options.mounts ?? ['/']) {
        try {
          const usage = await this.io.statfs(mount);
          this.clear(`disk ${mount}`);
          add('host.disk_pct', diskPercent(usage), { mount });
        } catch (err) {
          this.problem(`disk ${mount}`, `cannot stat ${mount}: ${errorMessage(err)}`);
        }
      }
    }
    if (this.resources.has('net')) {
      const at = this.io.monotonicMs();
      const bytes = await this.read('net', 'net/dev', parseNetDev);
      if (bytes) {
        const previous = this.lastNet;
        this.lastNet = { at, bytes };
        if (previous) {
          for (const [name, now] of bytes) {
            const before = previous.bytes.get(name);
            if (!before || !this.wanted(name)) continue;
            add('host.net_in_bps', bitsPerSecond(before.rx, now.rx, at - previous.at), { interface: name });
            add('host.net_out_bps', bitsPerSecond(before.tx, now.tx, at - previous.at), { interface: name });
          }
        }
      }
    }
    return points;
  }

  private wanted(name: string): boolean {
    const list = this.options.interfaces;
    if (!list) return name !== 'lo';
    return list.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
  }

  /** Reads and parses one /proc file; a failure is logged once and gives undefined. */
  private async read<T>(what: string, file: string, parse: (text: string) => T | undefined): Promise<T | undefined> {
    const path = join(this.proc, file);
    try {
      const value = parse(await this.io.readFile(path));
      if (value === undefined) this.problem(what, `cannot make sense of ${path}`);
      else this.clear(what);
      return value;
    } catch (err) {
      this.problem(what, `cannot read ${path}: ${errorMessage(err)}`);
      return undefined;
    }
  }

  private problem(key: string, text: string): void {
    if (this.problems.get(key) === text) return;
    this.problems.set(key, text);
    this.logger.warn({ probe: 'host', resource: key }, text);
  }

  private clear(key: string): void {
    if (this.problems.delete(key)) this.logger.info({ probe: 'host', resource: key }, 'readable again');
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

// --- configuration -------------------------------------------------------------------------

const unique = <T>(list: readonly T[]) => new Set(list).size === list.length;

/** The YAML keys of `type: host` (host.sample.yaml documents each). */
export const HostConfigSchema = z.strictObject({
  collect: z
    .array(z.enum(['cpu', 'mem', 'disk', 'net']), { error: 'must be a list of cpu, mem, disk, net' })
    .min(1, 'must name at least one of cpu, mem, disk, net')
    .refine(unique, 'lists an item twice')
    .default(['cpu', 'mem', 'disk', 'net']),
  mounts: z
    .array(z.string().regex(/^\//, 'must be an absolute path such as /data').max(128, 'must be at most 128 characters'), { error: 'must be a list of mount points, e.g. [/, /data]' })
    .min(1, 'must list at least one mount point')
    .refine(unique, 'lists a mount point twice')
    .default(['/']),
  interfaces: z
    .array(z.string().regex(/^[A-Za-z0-9_.:@-]{1,32}\*?$/, 'must be an interface name, or a prefix ending in * (eth*)'), { error: 'must be a list of interface names, e.g. [eth0, ens*]' })
    .min(1, 'must list at least one interface (leave the key out for all)')
    .optional(),
  proc_root: z.string({ error: 'must be a path' }).regex(/^\//, 'must be an absolute path').default('/proc'),
  platform: z.enum(PLATFORMS).optional(),
  node: z.string({ error: 'must be a string' }).regex(NODE_ID, 'must be an id of letters, digits and _ . : - (at most 128)').optional(),
  district: districtOption.optional(),
});
export type HostConfig = z.output<typeof HostConfigSchema>;

export const hostProbeDefinition = defineProbe<HostConfig>({
  type: 'host',
  description: 'CPU, memory, disk and network of the machine the agent runs on (Linux /proc, statfs)',
  configSchema: HostConfigSchema,
  create(config, deps) {
    return new HostProbe(
      {
        node: config.node ?? deps.collector.id,
        district: config.district,
        platform: config.platform,
        collect: config.collect,
        mounts: config.mounts,
        interfaces: config.interfaces,
        procRoot: config.proc_root,
      },
      deps.logger,
    );
  },
});
