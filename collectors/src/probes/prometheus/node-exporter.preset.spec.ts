import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { counterRate, nextSnapshot } from './counter.rate.js';
import { parseExposition } from './exposition.parser.js';
import { NODE_EXPORTER_DEFAULTS, NodeExporterPreset, type DerivedPoint } from './node-exporter.preset.js';

const T0 = Date.UTC(2025, 0, 6, 2, 0, 0);
const samples = (text: string) => parseExposition(text).samples;
const testdata = (name: string) => samples(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8'));
const make = () =>
  new NodeExporterPreset({
    excludeFsTypes: new RegExp(NODE_EXPORTER_DEFAULTS.excludeFsTypes),
    excludeMounts: new RegExp(NODE_EXPORTER_DEFAULTS.excludeMounts),
    excludeDevices: new RegExp(NODE_EXPORTER_DEFAULTS.excludeDevices),
  });
const byKey = (points: DerivedPoint[]) => Object.fromEntries(points.map((p) => [[p.metric, ...Object.values(p.tags)].join(' '), p.value]));

/** A small host: 2 CPUs, memory, four filesystems, three network devices. */
function host(cpu: [idle: number, iowait: number, user: number, system: number, steal: number], rx: number, tx: number): string {
  const [idle, iowait, user, system, steal] = cpu;
  return `# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} ${idle / 2}
node_cpu_seconds_total{cpu="0",mode="iowait"} ${iowait / 2}
node_cpu_seconds_total{cpu="0",mode="user"} ${user / 2}
node_cpu_seconds_total{cpu="0",mode="system"} ${system / 2}
node_cpu_seconds_total{cpu="0",mode="steal"} ${steal / 2}
node_cpu_seconds_total{cpu="1",mode="idle"} ${idle / 2}
node_cpu_seconds_total{cpu="1",mode="iowait"} ${iowait / 2}
node_cpu_seconds_total{cpu="1",mode="user"} ${user / 2}
node_cpu_seconds_total{cpu="1",mode="system"} ${system / 2}
node_cpu_seconds_total{cpu="1",mode="steal"} ${steal / 2}
# TYPE node_memory_MemTotal_bytes gauge
node_memory_MemTotal_bytes 8e9
# TYPE node_memory_MemAvailable_bytes gauge
node_memory_MemAvailable_bytes 2e9
# TYPE node_filesystem_size_bytes gauge
node_filesystem_size_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/"} 100e9
node_filesystem_size_bytes{device="/dev/vdb",fstype="xfs",mountpoint="/data"} 1000e9
node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e9
node_filesystem_size_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/var/lib/docker/overlay2"} 100e9
# TYPE node_filesystem_free_bytes gauge
node_filesystem_free_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/"} 45e9
node_filesystem_free_bytes{device="/dev/vdb",fstype="xfs",mountpoint="/data"} 900e9
node_filesystem_free_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e9
node_filesystem_free_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/var/lib/docker/overlay2"} 45e9
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/"} 40e9
node_filesystem_avail_bytes{device="/dev/vdb",fstype="xfs",mountpoint="/data"} 900e9
node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1e9
node_filesystem_avail_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/var/lib/docker/overlay2"} 40e9
# TYPE node_network_receive_bytes_total counter
node_network_receive_bytes_total{device="eth0"} ${rx}
node_network_receive_bytes_total{device="lo"} ${rx * 10}
node_network_receive_bytes_total{device="veth12ab"} ${rx}
# TYPE node_network_transmit_bytes_total counter
node_network_transmit_bytes_total{device="eth0"} ${tx}
node_network_transmit_bytes_total{device="lo"} ${tx * 10}
node_network_transmit_bytes_total{device="veth12ab"} ${tx}
`;
}

describe('node_exporter preset', () => {
  it('first scrape: memory and disks only (CPU and network are rates)', () => {
    const points = make().derive(samples(host([1000, 100, 300, 100, 0], 1e9, 2e9)), T0);
    expect(byKey(points)).toEqual({
      'host.mem_pct': 75,
      // (100 - 45) / (55 + 40) = 57.89...: root-reserved blocks count as neither, as in df
      'host.disk_pct /': (55 / 95) * 100,
      'host.disk_pct /data': 10,
      // tmpfs /run and /var/lib/docker/... are left out by default
    });
    expect(points.find((p) => p.metric === 'host.disk_pct')?.tags).toEqual({ mount: '/' });
  });

  it('second scrape: CPU busy share over all CPUs, bit/s per device (lo and veth left out)', () => {
    const preset = make();
    preset.derive(samples(host([1000, 100, 300, 100, 0], 1e9, 2e9)), T0);
    // 20 s on 2 CPUs = 40 CPU-seconds: idle +24, iowait +4, user +8, system +2, steal +2 → busy 12/40
    const points = preset.derive(samples(host([1024, 104, 308, 102, 2], 1e9 + 25e6, 2e9 + 5e6)), T0 + 20_000);
    expect(byKey(points)).toMatchObject({
      'host.cpu_pct': 30,
      'host.net_in_bps eth0': 10e6,
      'host.net_out_bps eth0': 2e6,
    });
    expect(points.filter((p) => p.metric.startsWith('host.net_')).map((p) => p.tags.interface)).toEqual(['eth0', 'eth0']);
  });

  it('gives no CPU or network value after a reboot (counters went back), then carries on', () => {
    const preset = make();
    preset.derive(samples(host([1000, 100, 300, 100, 0], 1e9, 2e9)), T0);
    const rebooted = byKey(preset.derive(samples(host([10, 1, 3, 1, 0], 1e6, 1e6)), T0 + 20_000));
    expect(rebooted['host.cpu_pct']).toBeUndefined();
    expect(rebooted['host.net_in_bps eth0']).toBeUndefined();
    const after = byKey(preset.derive(samples(host([20, 1, 13, 1, 5], 1e6 + 1e6, 1e6)), T0 + 40_000));
    expect(after['host.cpu_pct']).toBeCloseTo(60);
    expect(after['host.net_in_bps eth0']).toBe(400_000);
  });

  it('falls back to MemFree + Buffers + Cached on kernels without MemAvailable', () => {
    const text = 'node_memory_MemTotal_bytes 1000\nnode_memory_MemFree_bytes 100\nnode_memory_Buffers_bytes 50\nnode_memory_Cached_bytes 250\n';
    expect(byKey(make().derive(samples(text), T0))).toEqual({ 'host.mem_pct': 60 });
    expect(make().derive(samples('node_load1 1\n'), T0)).toEqual([]);
  });

  it('computes the real scrapes in testdata as by hand (Debian 12, node_exporter 1.5.0, 7.47 CPU-seconds apart)', () => {
    const preset = make();
    const first = byKey(preset.derive(testdata('node-exporter-1.5.0.prom'), T0));
    expect(Object.keys(first).sort()).toEqual(['host.disk_pct /', 'host.mem_pct']);
    const second = byKey(preset.derive(testdata('node-exporter-1.5.0.t1.prom'), T0 + 10_000));
    // Computed by hand from the two files (sum of all modes, busy = total − idle − iowait):
    expect(second['host.cpu_pct']).toBeCloseTo(68.40696, 3);
    expect(second['host.mem_pct']).toBeCloseTo(2.83313, 4);
    expect(second['host.disk_pct /']).toBeCloseTo(23.71549, 4);
    // eth0, ifb0, ifb1 were quiet between the two scrapes; lo is not in node_exporter's netdev here
    expect(Object.entries(second).filter(([k]) => k.startsWith('host.net_')).map(([, v]) => v)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('counterRate', () => {
  it('first, rate, reset, zero elapsed, clock back, NaN', () => {
    expect(counterRate(undefined, { value: 5, at: 0 })).toEqual({ kind: 'baseline', reason: 'first' });
    expect(counterRate({ value: 5, at: 0 }, { value: 25, at: 10_000 })).toEqual({ kind: 'rate', perSecond: 2 });
    expect(counterRate({ value: 25, at: 0 }, { value: 3, at: 10_000 })).toEqual({ kind: 'baseline', reason: 'reset' });
    expect(counterRate({ value: 25, at: 0 }, { value: 30, at: 0 })).toEqual({ kind: 'hold' });
    expect(counterRate({ value: 25, at: 10_000 }, { value: 30, at: 0 })).toEqual({ kind: 'baseline', reason: 'clock' });
    expect(counterRate({ value: 25, at: 0 }, { value: Number.NaN, at: 10_000 })).toEqual({ kind: 'hold' });
    const prev = { value: 1, at: 0 };
    expect(nextSnapshot(prev, { value: 2, at: 0 }, { kind: 'hold' })).toBe(prev);
  });
});
