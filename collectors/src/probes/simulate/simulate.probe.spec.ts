import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { KNOWN_METRICS, UNITS, validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { beijingTime, loadAt } from './daily-load.curve.js';
import { SimulateProbe, simulateProbeDefinition, type SimulateOptions } from './simulate.probe.js';
import { loadBuiltinProbes } from '../builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

const HOUR = 3_600_000;
/** Monday 2025-01-06 00:00 in Beijing (UTC+8). */
const MONDAY = Date.UTC(2025, 0, 5, 16, 0, 0);
const collector = { id: 'sim-test', district: '520103' };

async function tick(probe: SimulateProbe, now: number): Promise<RawPoint[]> {
  return probe.collect({ now, signal: new AbortController().signal, collector });
}

/** Collects every `stepMs` over [from, to); returns the points of each tick. */
async function run(probe: SimulateProbe, from: number, to: number, stepMs: number): Promise<RawPoint[][]> {
  const out: RawPoint[][] = [];
  for (let t = from; t < to; t += stepMs) out.push(await tick(probe, t));
  return out;
}

const find = (points: RawPoint[], metric: string, node: string) => points.find((p) => p.metric === metric && p.tags.node === node);
const values = (ticks: RawPoint[][], metric: string, node: string) =>
  ticks.map((pts) => find(pts, metric, node)?.value).filter((v): v is number => v !== undefined);

function make(options: SimulateOptions = {}): SimulateProbe {
  return new SimulateProbe({ seed: 7, faultRate: 0, ...options });
}

describe('SimulateProbe: the city', () => {
  it('has a core and N access nodes per unit, with readable ids, for all 14 units by default', () => {
    const probe = new SimulateProbe();
    const nodes = probe.nodes();
    expect(nodes).toHaveLength(UNITS.length * 4);
    expect(nodes.slice(0, 4)).toEqual([
      { id: '520102-core-1', unit: '520102', role: 'core' },
      { id: '520102-acc-1', unit: '520102', role: 'access', parent: '520102-core-1' },
      { id: '520102-acc-2', unit: '520102', role: 'access', parent: '520102-core-1' },
      { id: '520102-acc-3', unit: '520102', role: 'access', parent: '520102-core-1' },
    ]);
    expect(nodes.map((n) => n.id)).toContain('gy-hitech-core-1');
    expect(new SimulateProbe({ units: ['520121'], accessNodes: 5 }).nodes().map((n) => n.id)).toEqual([
      '520121-core-1', '520121-acc-1', '520121-acc-2', '520121-acc-3', '520121-acc-4', '520121-acc-5',
    ]);
  });

  it('is deterministic for a seed and a sequence of collection times', async () => {
    const a = await run(make({ platforms: true, faultRate: 30 }), MONDAY + 9 * HOUR, MONDAY + 10 * HOUR, 60_000);
    const b = await run(make({ platforms: true, faultRate: 30 }), MONDAY + 9 * HOUR, MONDAY + 10 * HOUR, 60_000);
    expect(b).toEqual(a);
    const c = await run(new SimulateProbe({ seed: 8, faultRate: 30, platforms: true }), MONDAY + 9 * HOUR, MONDAY + 10 * HOUR, 60_000);
    expect(c).not.toEqual(a);
  });

  it('emits only protocol metric names, each point with district and node, all valid for the server', async () => {
    const ticks = await run(make({ platforms: true, faultRate: 20 }), MONDAY, MONDAY + 6 * HOUR, 120_000);
    const points = ticks.flat();
    // Every metric DESIGN.md names; not those only real probes measure (http.*, the snmp and host
    // extras) nor the agent's own collector.*.
    const realProbesOnly = /^(http|collector)\.|^host\.net_|^net\.(if_up|if_discards_total|uptime_s)$|^cloud\.system_running$/;
    expect(new Set(points.map((p) => p.metric))).toEqual(new Set(KNOWN_METRICS.filter((m) => !realProbesOnly.test(m))));
    // validatePoint requires district and node; collect failures rather than expect() per point (fast).
    const bad = points.map((p) => ({ p, check: validatePoint(p, p.ts) })).filter((x) => !x.check.ok);
    expect(bad).toEqual([]);
    expect(points.every((p) => Number.isInteger(p.ts) && p.ts >= MONDAY)).toBe(true);
  });

  it('tags platforms as DESIGN.md names them', async () => {
    const [points] = await run(make({ platforms: true, units: ['520103'] }), MONDAY + 10 * HOUR, MONDAY + 10 * HOUR + 1, 1);
    expect(find(points, 'host.cpu_pct', 'cloud-host-01')?.tags).toEqual({ district: '520115', node: 'cloud-host-01', platform: 'cloud' });
    expect(points.filter((p) => p.metric === 'host.cpu_pct').map((p) => p.tags.node)).toEqual(
      ['cloud-host-01', 'cloud-host-02', 'cloud-host-03', 'cloud-host-04', 'cloud-host-05', 'cloud-host-06'],
    );
    const systems = points.filter((p) => p.metric === 'cloud.systems_running');
    expect(systems.map((p) => p.tags.district)).toEqual(UNITS.map((u) => u.code));
    expect(systems.every((p) => p.tags.node === 'cloud-subplatform' && p.tags.platform === 'cloud')).toBe(true);
    expect(find(points, 'share.up', 'share-platform')?.tags).toEqual({ district: '520115', node: 'share-platform', platform: 'share' });
    expect(find(points, 'open.up', 'open-platform')?.tags.platform).toBe('open');
    expect(find(points, 'net.latency_ms', '520103-acc-1')?.tags).toEqual({
      district: '520103', node: '520103-acc-1', target: 'city-core', role: 'access', parent: '520103-core-1',
    });
  });

  it('stays in plausible ranges over a working day', async () => {
    const ticks = await run(make({ platforms: true }), MONDAY, MONDAY + 24 * HOUR, 60_000);
    const points = ticks.flat();
    const by = (metric: string, pred: (p: RawPoint) => boolean = () => true) => points.filter((p) => p.metric === metric && pred(p)).map((p) => p.value);
    const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

    const [coreMin, coreMax] = range(by('net.latency_ms', (p) => p.tags.role === 'core'));
    expect(coreMin).toBeGreaterThanOrEqual(0.5);
    expect(coreMax).toBeLessThanOrEqual(10);
    const latencyOf = (node: string) => mean(by('net.latency_ms', (p) => p.tags.node === node));
    expect(latencyOf('520121-core-1')).toBeGreaterThan(latencyOf('520103-core-1') * 2); // Kaiyang is far
    expect(latencyOf('520122-core-1')).toBeGreaterThan(latencyOf('520102-core-1') * 2); // so is Xifeng
    expect(latencyOf('520103-acc-1')).toBeGreaterThan(latencyOf('520103-core-1'));
    expect(range(by('net.loss_pct'))).toEqual([0, expect.any(Number)]);
    expect(range(by('net.loss_pct'))[1]).toBeLessThan(0.1);
    expect(mean(by('net.loss_pct'))).toBeLessThan(0.01);
    expect(range(by('net.jitter_ms'))[1]).toBeLessThan(3);
    expect(by('net.up').every((v) => v === 1)).toBe(true);
    const [utilMin, utilMax] = range(by('net.if_util_pct'));
    expect(utilMin).toBeGreaterThan(0);
    expect(utilMax).toBeLessThan(90);
    for (const m of ['host.cpu_pct', 'host.mem_pct', 'host.disk_pct']) {
      const [lo, hi] = range(by(m));
      expect(lo).toBeGreaterThan(0);
      expect(hi).toBeLessThan(100);
    }
    const [shareLo, shareHi] = range(by('share.latency_ms'));
    expect(shareLo).toBeGreaterThanOrEqual(60);
    expect(shareHi).toBeLessThan(1_000);
    expect(range(by('share.success_pct'))[0]).toBeGreaterThanOrEqual(98.5);
    expect(range(by('share.success_pct'))[1]).toBeLessThanOrEqual(100);
    expect(range(by('open.latency_ms'))[1]).toBeLessThan(3_000);
    expect(by('cloud.systems_running').every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });

  it('moves smoothly (a random walk), not as white noise', async () => {
    const ticks = await run(make(), MONDAY + 2 * HOUR, MONDAY + 4 * HOUR, 10_000); // quiet hours: load nearly flat
    const xs = values(ticks, 'net.latency_ms', '520111-acc-2');
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < xs.length; i++) {
      den += (xs[i] - m) ** 2;
      if (i > 0) num += (xs[i] - m) * (xs[i - 1] - m);
    }
    expect(num / den).toBeGreaterThan(0.8); // lag-1 autocorrelation; white noise would be ~0
  });

  it('keeps counters monotonic, growing faster by day than by night', async () => {
    const ticks = await run(make({ platforms: true, units: ['520103'] }), MONDAY, MONDAY + 24 * HOUR, 30_000);
    const counters: Array<[string, string]> = [
      ['net.if_errors_total', '520103-core-1'],
      ['share.api_calls_total', 'share-platform'],
      ['share.records_total', 'share-platform'],
      ['share.catalog_resources', 'share-platform'],
      ['open.api_calls_total', 'open-platform'],
      ['open.downloads_total', 'open-platform'],
      ['open.datasets', 'open-platform'],
    ];
    for (const [metric, node] of counters) {
      const xs = values(ticks, metric, node);
      expect(xs).toHaveLength(ticks.length);
      for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThanOrEqual(xs[i - 1]);
    }
    const calls = values(ticks, 'share.api_calls_total', 'share-platform');
    const perHour = (h: number) => calls[(h + 1) * 120] - calls[h * 120];
    expect(perHour(10)).toBeGreaterThan(perHour(3) * 5);
  });

  it('follows Beijing office hours: utilisation at 10:00 is above 03:00, weekdays above Sundays', async () => {
    const probe = make();
    const ticks = await run(probe, MONDAY, MONDAY + 7 * 24 * HOUR, 15 * 60_000);
    const at = (dayOffset: number, hour: number) => ticks[Math.round((dayOffset * 24 + hour) * 4)];
    for (const unit of UNITS) {
      const node = `${unit.code}-core-1`;
      const util = (pts: RawPoint[]) => find(pts, 'net.if_util_pct', node)!.value;
      expect(util(at(0, 10))).toBeGreaterThan(util(at(0, 3)) * 2);
      expect(util(at(2, 15.5))).toBeGreaterThan(util(at(2, 22)));
      expect(util(at(0, 10))).toBeGreaterThan(util(at(6, 10))); // Monday vs Sunday
    }
    expect(beijingTime(MONDAY + 10 * HOUR)).toEqual({ hour: 10, weekday: 1 });
    expect(loadAt(MONDAY + 10 * HOUR)).toBe(1);
  });
});

describe('SimulateProbe: faults', () => {
  const t0 = MONDAY + 10 * HOUR;

  it('link_down on an access node: up 0, loss 100, no latency or jitter; recovers after its duration', async () => {
    const probe = make({ units: ['520103', '520111'] });
    await tick(probe, t0);
    const fault = probe.injectFault({ kind: 'link_down', node: '520103-acc-2', durationMs: 60_000 });
    expect(fault).toMatchObject({ kind: 'link_down', node: '520103-acc-2', unit: '520103', origin: 'injected', startedAt: undefined });

    const during = await tick(probe, t0 + 10_000);
    expect(find(during, 'net.up', '520103-acc-2')?.value).toBe(0);
    expect(find(during, 'net.loss_pct', '520103-acc-2')?.value).toBe(100);
    expect(find(during, 'net.latency_ms', '520103-acc-2')).toBeUndefined();
    expect(find(during, 'net.jitter_ms', '520103-acc-2')).toBeUndefined();
    expect(find(during, 'net.up', '520103-acc-1')?.value).toBe(1);
    expect(find(during, 'net.up', '520103-core-1')?.value).toBe(1);
    expect(probe.activeFaults()).toEqual([{ ...fault, startedAt: t0 + 10_000 }]);

    const still = await tick(probe, t0 + 60_000);
    expect(find(still, 'net.up', '520103-acc-2')?.value).toBe(0);
    const after = await tick(probe, t0 + 70_000);
    expect(find(after, 'net.up', '520103-acc-2')?.value).toBe(1);
    expect(find(after, 'net.latency_ms', '520103-acc-2')).toBeDefined();
    expect(probe.activeFaults()).toEqual([]);
  });

  it('link_down on a unit takes its core down with the access nodes behind it, and its SNMP counters', async () => {
    const probe = make({ units: ['520122', '520123'] });
    await tick(probe, t0);
    probe.injectFault({ kind: 'link_down', unit: '520122', durationMs: 45_000 });
    const during = await tick(probe, t0 + 10_000);
    for (const node of ['520122-core-1', '520122-acc-1', '520122-acc-2', '520122-acc-3']) {
      expect(find(during, 'net.up', node)?.value).toBe(0);
    }
    expect(during.filter((p) => p.tags.node === '520122-core-1' && p.metric.startsWith('net.if_'))).toEqual([]);
    expect(find(during, 'net.up', '520123-core-1')?.value).toBe(1);
    const errorsBefore = find(await tick(probe, t0 + 60_000), 'net.if_errors_total', '520122-core-1')!.value;
    expect(errorsBefore).toBeGreaterThanOrEqual(0); // back, and still a counter
  });

  it('latency_storm multiplies a unit\'s latency by 5–15, raises jitter, adds loss; other units untouched', async () => {
    const twin = make({ units: ['520112', '520113'] });
    const probe = make({ units: ['520112', '520113'] });
    await tick(twin, t0);
    await tick(probe, t0);
    probe.injectFault({ kind: 'latency_storm', unit: '520112', durationMs: 30_000 });
    const calm = await tick(twin, t0 + 10_000);
    const storm = await tick(probe, t0 + 10_000);
    for (const node of ['520112-core-1', '520112-acc-1', '520112-acc-3']) {
      const ratio = find(storm, 'net.latency_ms', node)!.value / find(calm, 'net.latency_ms', node)!.value;
      expect(ratio).toBeGreaterThanOrEqual(4.9);
      expect(ratio).toBeLessThanOrEqual(15.1);
      expect(find(storm, 'net.jitter_ms', node)!.value).toBeGreaterThan(find(calm, 'net.jitter_ms', node)!.value);
      expect(find(storm, 'net.loss_pct', node)!.value).toBeGreaterThanOrEqual(0.5);
    }
    expect(find(storm, 'net.latency_ms', '520113-core-1')).toEqual(find(calm, 'net.latency_ms', '520113-core-1'));
    // Recovery: back to the twin's values, since faults do not disturb the value stream; only the
    // interface error counter keeps the errors the storm added.
    await tick(twin, t0 + 20_000);
    await tick(probe, t0 + 20_000);
    const notErrors = (pts: RawPoint[]) => pts.filter((p) => p.metric !== 'net.if_errors_total');
    expect(notErrors(await tick(probe, t0 + 40_000))).toEqual(notErrors(await tick(twin, t0 + 40_000)));
  });

  it('platform_outage stops the sharing platform: up 0, success rate falls, no latency, records stall', async () => {
    const probe = make({ units: [], platforms: true });
    const before = await tick(probe, t0);
    probe.injectFault({ kind: 'platform_outage', platform: 'share', durationMs: 90_000 });
    const during = await tick(probe, t0 + 30_000);
    expect(find(during, 'share.up', 'share-platform')?.value).toBe(0);
    expect(find(during, 'share.success_pct', 'share-platform')!.value).toBeLessThan(95);
    expect(find(during, 'share.latency_ms', 'share-platform')).toBeUndefined();
    expect(find(during, 'share.records_total', 'share-platform')?.value).toBe(find(before, 'share.records_total', 'share-platform')?.value);
    expect(find(during, 'open.up', 'open-platform')?.value).toBe(1);
    const after = await tick(probe, t0 + 130_000);
    expect(find(after, 'share.up', 'share-platform')?.value).toBe(1);
    expect(find(after, 'share.success_pct', 'share-platform')!.value).toBeGreaterThan(98);

    probe.injectFault({ kind: 'platform_outage', platform: 'open', durationMs: 60_000 });
    const open = await tick(probe, t0 + 140_000);
    expect(find(open, 'open.up', 'open-platform')?.value).toBe(0);
    expect(find(open, 'open.latency_ms', 'open-platform')).toBeUndefined();
  });

  it('clearFaults ends every fault at once', async () => {
    const probe = make({ units: ['520102'] });
    await tick(probe, t0);
    probe.injectFault({ kind: 'link_down', node: '520102-acc-1', durationMs: 600_000 });
    probe.injectFault({ kind: 'latency_storm', unit: '520102', durationMs: 600_000 });
    await tick(probe, t0 + 10_000);
    expect(probe.activeFaults()).toHaveLength(2);
    probe.clearFaults();
    expect(probe.activeFaults()).toEqual([]);
    const next = await tick(probe, t0 + 20_000);
    expect(find(next, 'net.up', '520102-acc-1')?.value).toBe(1);
  });

  it('refuses a fault that names nothing simulated', () => {
    const probe = make({ units: ['520102'] });
    expect(() => probe.injectFault({ kind: 'link_down', node: '520103-acc-1', durationMs: 1_000 })).toThrow(/simulated node/);
    expect(() => probe.injectFault({ kind: 'latency_storm', unit: 'gy-hitech', durationMs: 1_000 })).toThrow(/simulated unit/);
    expect(() => probe.injectFault({ kind: 'platform_outage', platform: 'share', durationMs: 1_000 })).toThrow(/platforms: true/);
    expect(() => probe.injectFault({ kind: 'link_down', unit: '520102', durationMs: 0 })).toThrow(/durationMs/);
  });

  it('raises random faults at about fault_rate per hour per unit, each recovering within 30–120 s', async () => {
    const probe = make({ units: UNITS.map((u) => u.code), faultRate: 6 });
    const step = 10_000;
    const ticks: RawPoint[][] = [];
    const faultIds = new Set<number>();
    for (let t = t0; t < t0 + 2 * HOUR; t += step) {
      ticks.push(await tick(probe, t));
      for (const f of probe.activeFaults()) faultIds.add(f.id);
    }
    // 6 per hour × 14 units × 2 h = 168 expected, a little fewer as a unit in trouble gets no second fault.
    expect(faultIds.size).toBeGreaterThan(110);
    expect(faultIds.size).toBeLessThan(200);
    // Measure outages per node as runs of net.up = 0.
    const runs: number[] = [];
    for (const node of probe.nodes()) {
      let length = 0;
      for (const pts of ticks) {
        if (find(pts, 'net.up', node.id)!.value === 0) length++;
        else if (length > 0) {
          runs.push(length * step);
          length = 0;
        }
      }
    }
    expect(runs.length).toBeGreaterThan(10);
    expect(Math.max(...runs)).toBeLessThanOrEqual(130_000);
    // Storms show as latency far above normal on every node of a unit.
    const stormTicks = ticks.filter((pts) => pts.some((p) => p.metric === 'net.loss_pct' && p.value >= 0.5 && p.value < 100));
    expect(stormTicks.length).toBeGreaterThan(0);
  });

  it('raises no fault with fault_rate 0', async () => {
    const ticks = await run(make({ faultRate: 0, platforms: true }), t0, t0 + 6 * HOUR, 60_000);
    expect(ticks.flat().filter((p) => p.metric.endsWith('.up') && p.value === 0)).toEqual([]);
  });
});

describe('simulate probe config', () => {
  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./simulate.sample.yaml', import.meta.url), 'utf8');
    const text = `server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: sim-01, district: "520103" }\n${sample}`;
    const config = parseConfig(text, 'simulate.sample.yaml');
    expect(config.probes[0]).toMatchObject({
      type: 'simulate', name: 'city', intervalMs: 10_000, timeoutMs: 5_000, jitterMs: 1_000,
      options: { seed: 42, units: ['520102', '520103', '520121', 'gy-hitech'], access_nodes: 3, platforms: true, fault_rate: 2 },
    });
  });

  it('refuses unknown units, duplicates and out-of-range options, with the key path', () => {
    const text = `server: { url: http://127.0.0.1:8080, token: t }
collector: { id: sim-01, district: "520103" }
probes:
  - type: simulate
    interval: 10s
    units: ["520103", "520199", "520103"]
    fault_rate: -1
`;
    expect(() => parseConfig(text, 's.yaml')).toThrow(
      [
        's.yaml:6: probes[0].units[1]: "520199" is not a district code or zone id',
        's.yaml:6: probes[0].units: lists a unit twice',
        's.yaml:7: probes[0].fault_rate: must be 0 or more',
      ].join('\n'),
    );
    const dup = text.replace('"520199"', '"520102"').replace('fault_rate: -1', 'fault_rate: 1');
    expect(() => parseConfig(dup, 's.yaml')).toThrow('s.yaml:6: probes[0].units: lists a unit twice');
  });

  it('creates a probe whose default seed comes from the collector id', async () => {
    const config = simulateProbeDefinition.configSchema.parse({ units: ['520103'] });
    const make = (id: string) => simulateProbeDefinition.create(config, { collector: { id, district: '520103' }, logger: silentLogger }) as SimulateProbe;
    const a = await tick(make('sim-a'), MONDAY);
    expect(await tick(make('sim-a'), MONDAY)).toEqual(a);
    expect(await tick(make('sim-b'), MONDAY)).not.toEqual(a);
  });
});
