import { describe, expect, it } from '@jest/globals';
import { SimulateProbe } from '@zhuyun/collectors';
import { UNITS, validatePoint, type RawPoint } from '@zhuyun/protocol';
import { guiyangDivisions } from '../divisions/guiyang-divisions.js';
import { CITY_10K_NODES, CITY_CORE, ZONE_TOWNSHIPS, buildCity10kFleet, buildCityFleet, cityNodeNames } from './city-fleet.js';

const T0 = Date.parse('2026-03-10T02:00:00Z'); // 10:00 in Guiyang, a Tuesday
const ctx = (now: number) => ({ now, signal: new AbortController().signal, collector: { id: 'sim-test', district: '520103' } });

describe('the simulated real city', () => {
  const fleet = buildCityFleet();
  const byId = new Map(fleet.nodes.map((n) => [n.id, n]));

  it('has the city core, 14 unit cores, 146 townships, 1,629 villages and the departments, each named', () => {
    const count = (level: string) => fleet.nodes.filter((n) => n.level === level).length;
    expect([count('city'), count('unit'), count('township'), count('village'), count('department')]).toEqual([1, 14, 146, 1_629, 8 + 3 * 14]);
    expect(fleet.nodes).toHaveLength(1 + 14 + 146 + 1_629 + 50);
    expect(new Set(fleet.nodes.map((n) => n.id)).size).toBe(fleet.nodes.length);
    expect(fleet.nodes.every((n) => n.name.length > 0 && /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(n.id))).toBe(true);
    expect(byId.get('t520102016')).toMatchObject({ name: '新华路街道', unit: '520102', parent: '520102-core-1', level: 'township' });
    expect(byId.get('v520102016001')).toMatchObject({ unit: '520102', parent: 't520102016', level: 'village', code: '520102016001' });
    expect(cityNodeNames().get('t520102016')).toBe('新华路街道');
    expect(cityNodeNames().get(CITY_CORE)).toBe('贵阳市电子政务外网核心');
  });

  it('is a four-level tree: village → township → unit core → city core, every parent before its children', () => {
    const seen = new Set<string>();
    for (const n of fleet.nodes) {
      if (n.parent !== undefined) expect(byId.has(n.parent)).toBe(true);
      if (n.parent !== undefined && byId.get(n.parent)!.unit === n.unit) expect(seen.has(n.parent)).toBe(true);
      seen.add(n.id);
      const depth = (id: string): number => (byId.get(id)!.parent === undefined ? 1 : 1 + depth(byId.get(id)!.parent!));
      const want = { city: 1, unit: 2, township: 3, village: 4, department: n.parent === CITY_CORE ? 2 : 3 }[n.level];
      expect([n.id, depth(n.id)]).toEqual([n.id, want]);
    }
  });

  it('gives the zone table\'s townships (and their villages) to the zones, tagged with their geographic district', () => {
    for (const [zone, codes] of Object.entries(ZONE_TOWNSHIPS)) {
      const host = UNITS.find((u) => u.code === zone)!.hostDistrict;
      for (const code of codes) {
        expect(byId.get(`t${code}`)).toMatchObject({ unit: zone, district: code.slice(0, 6), parent: `${zone}-core-1` });
        expect(code.slice(0, 6)).toBe(host);
      }
      const villages = fleet.byUnit.get(zone)!.filter((n) => n.level === 'village');
      expect(villages.length).toBeGreaterThan(0);
      expect(villages.every((v) => codes.includes(v.code!.slice(0, 9)) && v.district === v.code!.slice(0, 6))).toBe(true);
    }
    expect(byId.get('t520113102')!.name).toBe('沙文镇');
    expect(byId.get('t520111010')!.name).toBe('小孟街道');
    // Every other township stays with its district.
    expect(byId.get('t520113005')).toMatchObject({ unit: '520113' });
    expect(byId.get('t520113005')!.district).toBeUndefined();
  });

  it('refuses a zone table that names a township the list lacks, or one twice', () => {
    const d = guiyangDivisions();
    expect(() => buildCityFleet(d, { 'gy-hitech': ['520113999'] })).toThrow(/520113999/);
    expect(() => buildCityFleet(d, { 'gy-hitech': ['520113102'], 'gy-bonded': ['520113102'] })).toThrow(/520113102.*gy-hitech.*gy-bonded/);
    expect(() => buildCityFleet(d, { '520103': ['520113102'] })).toThrow(/not a zone/);
  });

  it('reports valid points for every node; cores every second, townships every 5 s, villages every 10 s', async () => {
    const list = fleet.byUnit.get('520181')!;
    const probe = new SimulateProbe({ nodes: list, seed: 3, faultRate: 0 });
    const seen = new Map<string, number>();
    for (let s = 0; s < 20; s++) {
      for (const p of await probe.collect(ctx(T0 + s * 1_000))) {
        const check = validatePoint(p, T0 + s * 1_000);
        if (!check.ok) throw new Error(`${JSON.stringify(p)}: ${check.error}`);
        expect(check.point.tags.unit).toBe('520181');
        if (p.metric === 'net.up') seen.set(p.tags.node, (seen.get(p.tags.node) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(list.length);
    expect(seen.get('520181-core-1')).toBe(20);
    // 20 collections over 19 s: 2 or 3 ten-second slots of a village's own phase, 4 or 5 of a township's.
    const villages = list.filter((x) => x.level === 'village').map((n) => seen.get(n.id)!);
    const townships = list.filter((x) => x.level === 'township').map((n) => seen.get(n.id)!);
    expect(villages.every((c) => c === 2 || c === 3) && villages.some((c) => c === 2)).toBe(true);
    expect(townships.every((c) => c === 4 || c === 5)).toBe(true);
  });

  it('tags a zone\'s points with its district and the zone, and they resolve to the zone', async () => {
    const probe = new SimulateProbe({ nodes: fleet.byUnit.get('gy-etdz')!, seed: 3, faultRate: 0 });
    const points = await probe.collect(ctx(T0));
    const township = points.find((p) => p.tags.node === 't520111010')!;
    expect(township.tags).toMatchObject({ district: '520111', unit: 'gy-etdz', level: 'township', parent: 'gy-etdz-core-1' });
    for (const p of points) {
      const check = validatePoint(p, T0);
      expect(check.ok && check.point.tags.unit).toBe('gy-etdz');
    }
  });

  it('a township down takes its villages with it; the rest of the unit stays up', async () => {
    const probe = new SimulateProbe({ nodes: fleet.byUnit.get('520102')!, seed: 3, faultRate: 0 });
    probe.injectFault({ kind: 'link_down', node: 't520102016', durationMs: 60_000 });
    const up = new Map<string, number>();
    for (let s = 0; s < 10; s++) for (const p of await probe.collect(ctx(T0 + s * 1_000))) if (p.metric === 'net.up') up.set(p.tags.node, p.value);
    const villages = fleet.byUnit.get('520102')!.filter((n) => n.parent === 't520102016').map((n) => n.id);
    expect(villages.length).toBe(7);
    expect([up.get('t520102016'), ...villages.map((v) => up.get(v))]).toEqual(new Array(8).fill(0));
    expect(up.get('520102-core-1')).toBe(1);
    expect(up.get('t520102017')).toBe(1);
    expect(up.get('v520102017001')).toBe(1);
  });

  it('a storm on a unit core degrades the whole unit; on a township only its villages', async () => {
    const latencies = async (fault: Parameters<SimulateProbe['injectFault']>[0] | undefined) => {
      const probe = new SimulateProbe({ nodes: fleet.byUnit.get('520103')!, seed: 5, faultRate: 0 });
      if (fault) probe.injectFault(fault);
      const out = new Map<string, number>();
      for (let s = 0; s < 10; s++) for (const p of await probe.collect(ctx(T0 + s * 1_000))) if (p.metric === 'net.latency_ms') out.set(p.tags.node, p.value);
      return out;
    };
    const calm = await latencies(undefined);
    const unit = await latencies({ kind: 'latency_storm', unit: '520103', durationMs: 60_000 });
    const township = await latencies({ kind: 'latency_storm', node: 't520103019', durationMs: 60_000 });
    const some = fleet.byUnit.get('520103')!.filter((n) => n.level === 'village');
    const inTownship = some.find((n) => n.parent === 't520103019')!.id;
    const elsewhere = some.find((n) => n.parent !== 't520103019')!.id;
    expect(unit.get('520103-core-1')! / calm.get('520103-core-1')!).toBeGreaterThan(4);
    expect(unit.get(elsewhere)! / calm.get(elsewhere)!).toBeGreaterThan(4);
    expect(township.get(inTownship)! / calm.get(inTownship)!).toBeGreaterThan(4);
    expect(township.get(elsewhere)).toBe(calm.get(elsewhere));
    expect(township.get('520103-core-1')).toBe(calm.get('520103-core-1'));
  });

  it('raises random faults at every level, deterministically, and never takes the city core down at random', async () => {
    const run = async (nodes: typeof fleet.nodes, seed: number) => {
      const probe = new SimulateProbe({ nodes, seed, faultRate: 60 });
      const faults = new Map<number, { kind: string; node?: string }>();
      const points: RawPoint[] = [];
      for (let s = 0; s < 3_600; s += 5) {
        points.push(...(await probe.collect(ctx(T0 + s * 1_000))).filter((p) => p.tags.node === '520112-core-1'));
        for (const f of probe.activeFaults()) faults.set(f.id, { kind: f.kind, node: f.node });
      }
      return { faults: [...faults.values()], points };
    };
    const a = await run(fleet.byUnit.get('520112')!, 9);
    expect(a).toEqual(await run(fleet.byUnit.get('520112')!, 9));
    const downLevels = new Set(a.faults.filter((f) => f.kind === 'link_down').map((f) => byId.get(f.node!)!.level));
    expect([...downLevels]).toEqual(expect.arrayContaining(['township', 'unit', 'village']));
    expect(a.faults.some((f) => f.kind === 'latency_storm' && f.node === undefined)).toBe(true);
    expect(a.faults.some((f) => f.kind === 'latency_storm' && byId.get(f.node ?? '')?.level === 'township')).toBe(true);

    const city = await run(fleet.city, 9);
    expect(city.faults.length).toBeGreaterThan(10);
    expect(city.faults.some((f) => f.kind === 'link_down' && f.node === CITY_CORE)).toBe(false);
  });
});

describe('the city grown to 10,000 nodes (ZHUYUN_SIMULATE_FLEET=city-10k)', () => {
  const real = buildCityFleet();
  const big = buildCity10kFleet();
  const byId = new Map(big.nodes.map((n) => [n.id, n]));

  it('is the real city plus generated village groups, 10,000 nodes with unique ids', () => {
    expect(big.nodes).toHaveLength(CITY_10K_NODES);
    expect(new Set(big.nodes.map((n) => n.id)).size).toBe(CITY_10K_NODES);
    for (const n of real.nodes) expect(byId.get(n.id)).toEqual(n);
    const made = big.nodes.filter((n) => /^g\d/.test(n.id));
    expect(made).toHaveLength(CITY_10K_NODES - real.nodes.length);
    expect(made.every((n) => n.level === 'village' && n.code === undefined && /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(n.id))).toBe(true);
  });

  it('hangs each group under the township of its real village, named after it, in the same unit', () => {
    const g = byId.get('g520102016001-1')!;
    const v = byId.get('v520102016001')!;
    expect(g).toMatchObject({ level: 'village', parent: v.parent, unit: v.unit, name: `${v.name}1组`, everyMs: v.everyMs });
    for (const n of big.nodes.filter((x) => /^g\d/.test(x.id))) {
      const village = byId.get(`v${n.id.slice(1, n.id.indexOf('-'))}`)!;
      expect([n.parent, n.unit, n.district]).toEqual([village.parent, village.unit, village.district]);
    }
  });

  it('grows every unit by about the same factor, the largest (清镇 520181) past one district frame', () => {
    const size = (f: typeof real, u: string) => f.byUnit.get(u)!.length;
    for (const u of UNITS) if (size(real, u.code) > 20) expect(size(big, u.code) / size(real, u.code)).toBeGreaterThan(3);
    expect(size(real, '520181')).toBe(255);
    expect(size(big, '520181')).toBeGreaterThan(1_000);
    expect(big.nodes.length).toBe([...big.byUnit.values()].reduce((n, l) => n + l.length, big.city.length));
  });

  it('keeps the real fleet when it is already as large as asked', () => {
    expect(buildCity10kFleet(real, 100)).toBe(real);
  });
});
