import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { HostProbe, hostProbeDefinition, type HostIo, type HostProbeOptions } from './host.probe.js';
import { bitsPerSecond, cpuPercent, diskPercent, memPercent, parseNetDev, parseProcStat, type FsUsage } from './proc.parser.js';
import { loadBuiltinProbes } from '../builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

const NOW = Date.UTC(2025, 0, 6, 2, 0, 0);
const collector = { id: 'cloud-host-01', district: '520115' };
const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const ROOT_FS = JSON.parse(testdata('statfs-root.json')) as FsUsage;
const ctx = (now = NOW) => ({ now, signal: new AbortController().signal, collector });
const invalid = (points: RawPoint[], now = NOW) => points.map((p) => validatePoint(p, now)).flatMap((c) => (c.ok ? [] : [c.error]));
const series = (points: RawPoint[]) =>
  Object.fromEntries(points.map((p) => [p.metric + (p.tags.mount ? ` ${p.tags.mount}` : '') + (p.tags.interface ? ` ${p.tags.interface}` : ''), p.value]));

/**
 * Replays the captured /proc files: each collection reads the next copy (`stat.1` then `stat.2`),
 * and the monotonic clock advances `stepMs` per collection.
 */
function replay(stepMs = 2_000, overrides: Record<string, string[]> = {}, fs: Record<string, FsUsage> = { '/': ROOT_FS }) {
  const files: Record<string, string[]> = {
    '/proc/stat': [testdata('stat.1'), testdata('stat.2')],
    '/proc/net/dev': [testdata('net-dev.1'), testdata('net-dev.2')],
    '/proc/meminfo': [testdata('meminfo')],
    ...overrides,
  };
  const reads = new Map<string, number>();
  let clock = 1_000;
  const io: HostIo = {
    async readFile(path) {
      const copies = files[path];
      if (!copies) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      const n = reads.get(path) ?? 0;
      reads.set(path, n + 1);
      return copies[Math.min(n, copies.length - 1)];
    },
    async statfs(path) {
      if (!fs[path]) throw Object.assign(new Error(`ENOENT: no such file or directory, statfs '${path}'`), { code: 'ENOENT' });
      return fs[path];
    },
    monotonicMs() {
      const t = clock;
      clock += stepMs;
      return t;
    },
  };
  return io;
}

function probe(options: Partial<HostProbeOptions>, io: HostIo, logger = new RecordingLogger()) {
  return new HostProbe({ node: 'cloud-host-01', ...options }, logger, io);
}

describe('/proc parsing (golden, copies of this machine\'s files)', () => {
  it('reads the aggregate cpu line and computes use between two readings', () => {
    const a = parseProcStat(testdata('stat.1'));
    const b = parseProcStat(testdata('stat.2'));
    // cpu  227832 680 45410 783468 5142 0 779 1425 0 0  →  cpu  228009 680 45584 783524 5142 0 779 1425 0 0
    expect(a).toEqual({ busy: 227832 + 680 + 45410 + 779 + 1425, total: 227832 + 680 + 45410 + 783468 + 5142 + 779 + 1425 });
    // busy +177 user +174 system = 351 of 407 jiffies
    expect(cpuPercent(a!, b!)).toBeCloseTo((351 / 407) * 100, 10);
    expect(cpuPercent(b!, b!)).toBeUndefined();
    expect(parseProcStat('intr 1 2 3\n')).toBeUndefined();
  });

  it('reads memory use from MemAvailable, and from free + buffers + cached on old kernels', () => {
    expect(memPercent(testdata('meminfo'))).toBeCloseTo(((24684096 - 23990116) / 24684096) * 100, 10);
    const old = testdata('meminfo').replace(/^MemAvailable:.*\n/m, '');
    expect(memPercent(old)).toBeCloseTo(((24684096 - (23315228 + 5772 + 837312)) / 24684096) * 100, 10);
    expect(memPercent('')).toBeUndefined();
  });

  it('reads byte counters per interface and turns them into bits per second', () => {
    const a = parseNetDev(testdata('net-dev.1'));
    const b = parseNetDev(testdata('net-dev.2'));
    expect([...a.keys()]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(a.get('eth0')).toEqual({ rx: 1015542750, tx: 4172234 });
    expect(b.get('lo')).toEqual({ rx: 2212043579, tx: 2212043579 });
    expect(bitsPerSecond(a.get('lo')!.rx, b.get('lo')!.rx, 2_000)).toBe(((2212043579 - 2185779451) * 8) / 2);
    expect(bitsPerSecond(100, 50, 1_000)).toBeUndefined(); // counter went back
    expect(bitsPerSecond(100, 200, 0)).toBeUndefined();
  });

  it('computes disk use as df does (reserved blocks count as neither used nor available)', () => {
    // df -P /: 264212084 1K-blocks, 25229216 used, 81161696 available, 24% (df rounds up)
    expect(diskPercent(ROOT_FS)).toBeCloseTo((6307302 / (6307302 + 20290426)) * 100, 10);
    expect(diskPercent({ blocks: 0, bfree: 0, bavail: 0 })).toBeUndefined();
  });
});

describe('HostProbe through its I/O seam', () => {
  it('first collection: memory and disk only (rates need two readings); second: all, every point valid', async () => {
    const p = probe({ mounts: ['/'], interfaces: ['lo', 'eth0'], platform: 'cloud' }, replay(2_000));
    const first = await p.collect(ctx(NOW));
    expect(series(first)).toEqual({ 'host.mem_pct': 2.81, 'host.disk_pct /': 23.71 });
    const second = await p.collect(ctx(NOW + 10_000));
    expect(series(second)).toEqual({
      'host.cpu_pct': 86.24,
      'host.mem_pct': 2.81,
      'host.disk_pct /': 23.71,
      'host.net_in_bps lo': 105_056_512,
      'host.net_out_bps lo': 105_056_512,
      'host.net_in_bps eth0': 0,
      'host.net_out_bps eth0': 0,
    });
    expect(second.find((x) => x.metric === 'host.net_in_bps')?.tags).toEqual({ district: '520115', node: 'cloud-host-01', platform: 'cloud', interface: 'lo' });
    expect(second.find((x) => x.metric === 'host.cpu_pct')?.tags).toEqual({ district: '520115', node: 'cloud-host-01', platform: 'cloud' });
    expect(second.every((x) => x.ts === NOW + 10_000)).toBe(true);
    expect(invalid([...first, ...second], NOW + 10_000)).toEqual([]);
  });

  it('leaves lo out by default, and takes interface prefixes', async () => {
    const p = probe({}, replay());
    await p.collect(ctx());
    const names = (await p.collect(ctx())).filter((x) => x.metric === 'host.net_in_bps').map((x) => x.tags.interface);
    expect(names).toEqual(['ifb0', 'ifb1', 'eth0']);
    const q = probe({ interfaces: ['ifb*'] }, replay());
    await q.collect(ctx());
    expect((await q.collect(ctx())).filter((x) => x.metric === 'host.net_in_bps').map((x) => x.tags.interface)).toEqual(['ifb0', 'ifb1']);
  });

  it('skips one rate sample when a counter goes back (interface re-created)', async () => {
    const reset = testdata('net-dev.2').replace(/eth0: 1015542750/, 'eth0:   500000');
    const p = probe({ collect: ['net'], interfaces: ['eth0'] }, replay(1_000, { '/proc/net/dev': [testdata('net-dev.1'), reset, reset] }));
    await p.collect(ctx());
    expect(series(await p.collect(ctx()))).toEqual({ 'host.net_out_bps eth0': 0 });
    expect(series(await p.collect(ctx()))).toEqual({ 'host.net_in_bps eth0': 0, 'host.net_out_bps eth0': 0 });
  });

  it('measures only what `collect` names, and every configured mount', async () => {
    const data: FsUsage = { blocks: 1000, bfree: 100, bavail: 50 };
    const p = probe({ collect: ['disk'], mounts: ['/', '/data'] }, replay(1_000, {}, { '/': ROOT_FS, '/data': data }));
    expect(series(await p.collect(ctx()))).toEqual({ 'host.disk_pct /': 23.71, 'host.disk_pct /data': 94.74 });
  });

  it('logs an unreadable source once and goes on with the others', async () => {
    const logger = new RecordingLogger();
    const p = probe({ mounts: ['/', '/missing'], procRoot: '/host/proc' }, replay(), logger);
    const points = await p.collect(ctx());
    await p.collect(ctx());
    expect(series(points)).toEqual({ 'host.disk_pct /': 23.71 });
    expect(logger.messages('warn').sort()).toEqual([
      "cannot read /host/proc/meminfo: ENOENT: no such file or directory, open '/host/proc/meminfo'",
      "cannot read /host/proc/net/dev: ENOENT: no such file or directory, open '/host/proc/net/dev'",
      "cannot read /host/proc/stat: ENOENT: no such file or directory, open '/host/proc/stat'",
      "cannot stat /missing: ENOENT: no such file or directory, statfs '/missing'",
    ]);
  });
});

const onLinux = process.platform === 'linux';

describe('HostProbe for real', () => {
  (onLinux ? it : it.skip)('reads this machine: cpu, memory, disk of /, network, in range and valid', async () => {
    const logger = new RecordingLogger();
    const p = hostProbeDefinition.create(hostProbeDefinition.configSchema.parse({}), { collector, logger });
    const first = await p.collect(ctx(Date.now()));
    // Let some CPU time pass between the readings (busy work, not a fixed sleep to time against).
    let spin = 0;
    const until = Date.now() + 50;
    while (Date.now() < until) spin++;
    const second = await p.collect(ctx(Date.now()));
    expect(spin).toBeGreaterThan(0);
    expect(logger.messages('warn')).toEqual([]);
    const metrics = new Set(second.map((x) => x.metric));
    expect(metrics).toEqual(new Set(['host.cpu_pct', 'host.mem_pct', 'host.disk_pct', ...(second.some((x) => x.metric === 'host.net_in_bps') ? ['host.net_in_bps', 'host.net_out_bps'] : [])]));
    expect(first.map((x) => x.metric).sort()).toEqual(['host.disk_pct', 'host.mem_pct']);
    for (const x of second) {
      expect(x.value).toBeGreaterThanOrEqual(0);
      if (x.metric.endsWith('_pct')) expect(x.value).toBeLessThanOrEqual(100);
    }
    expect(second.find((x) => x.metric === 'host.disk_pct')?.tags).toEqual({ district: '520115', node: 'cloud-host-01', mount: '/' });
    expect(invalid(second, Date.now())).toEqual([]);
  });
});

describe('host probe config', () => {
  const head = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: cloud-host-01, district: "520115" }\n';

  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./host.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(head + sample, 'host.sample.yaml');
    expect(config.probes[0]).toMatchObject({
      type: 'host', name: 'this-host', intervalMs: 10_000,
      options: {
        collect: ['cpu', 'mem', 'disk', 'net'], mounts: ['/', '/var/lib/zhuyun-collector'], interfaces: ['eth0', 'ens*'],
        proc_root: '/proc', platform: 'cloud', node: 'cloud-host-01', district: '520115',
      },
    });
  });

  it('has defaults that need no key at all', () => {
    expect(hostProbeDefinition.configSchema.parse({})).toEqual({ collect: ['cpu', 'mem', 'disk', 'net'], mounts: ['/'], proc_root: '/proc' });
    expect(hostProbeDefinition.create(hostProbeDefinition.configSchema.parse({}), { collector, logger: silentLogger }).type).toBe('host');
  });

  it('refuses relative mounts, unknown resources and platforms, with the key path', () => {
    const text = `${head}probes:
  - type: host
    interval: 10s
    collect: [cpu, gpu]
    mounts: [data]
    platform: share-ish
`;
    let message = '';
    try {
      parseConfig(text, 'h.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('h.yaml:6: probes[0].collect[1]: "gpu" is not one of "cpu", "mem", "disk", "net"');
    expect(message).toContain('h.yaml:7: probes[0].mounts[0]: must be an absolute path such as /data');
    expect(message).toContain('h.yaml:8: probes[0].platform: "share-ish" is not one of "cloud", "share", "open"');
  });
});
