import type { FleetNode } from '@zhuyun/collectors';
import { DISTRICTS, UNITS, findUnit } from '@zhuyun/protocol';
import { guiyangDivisions, type GuiyangDivisions } from '../divisions/guiyang-divisions.js';

/**
 * The real city as the simulated fleet of `ZHUYUN_SIMULATE_FLEET=city` (docs/TOPOLOGY.md, "The
 * simulated city"): four levels — the city core, the 14 unit cores, the 146 townships, the 1,629
 * villages and communities — with their real names and codes, and a few departments on the city
 * core and on each unit core. Pure: built from the division list and the zone table below.
 */

/**
 * Which townships each zone's management committee runs the extranet of (Article 9; domain research
 * §2.2). The zones have no statistical code of their own, so the division list files these
 * townships under their geographic district; their nodes belong to the zone's unit. The boundaries
 * are our reading of public sources and need confirming with the municipal big data bureau — change
 * this table (or pass another to `buildCityFleet`) when they are.
 */
export const ZONE_TOWNSHIPS: Readonly<Record<string, readonly string[]>> = {
  // High-tech zone: its Shawen park (沙文镇) and Maijia (麦架镇), in Baiyun.
  'gy-hitech': ['520113102', '520113101'],
  // Comprehensive bonded zone: Dula (都拉布依族乡), in Baiyun.
  'gy-bonded': ['520113200'],
  // Shuanglong airport zone: Xiaobi (小碧布依族苗族乡) and Yongle (永乐乡), in Nanming.
  'gy-shuanglong': ['520102202', '520102203'],
  // Economic and technological development zone: the streets of the former Xiaohe district (520114,
  // merged into Huaxi in 2012): 黄河路, 平桥, 小孟, 金筑. The 2023 list has no 大兴星 or 金竹 any more.
  'gy-etdz': ['520111008', '520111009', '520111010', '520111011'],
};

/** The city core's id: the big data bureau's core in the city data centre (Guanshanhu). */
export const CITY_CORE = 'gy-core';
/** Where the city core and the city departments stand (the city data centre). */
export const CITY_DISTRICT = '520115';

/**
 * How often each level reports. The cores carry the wall's headline figures and move every second;
 * ~1,800 township and village nodes every second would be ~7,000 points/s on a 2-core host, so they
 * report at the interval a real ping collector of that many targets would use (docs/TOPOLOGY.md).
 */
export const LEVEL_INTERVAL_MS = { city: 1_000, unit: 1_000, department: 5_000, township: 5_000, village: 10_000 } as const;

/** City departments on the city core (a handful: the wall's point is the districts). */
const CITY_DEPARTMENTS: ReadonlyArray<[string, string]> = [
  ['gov', '贵阳市人民政府办公厅'],
  ['bigdata', '贵阳市大数据发展管理局'],
  ['drc', '贵阳市发展和改革委员会'],
  ['finance', '贵阳市财政局'],
  ['psb', '贵阳市公安局'],
  ['health', '贵阳市卫生健康局'],
  ['hrss', '贵阳市人力资源和社会保障局'],
  ['service', '贵阳市政务服务中心'],
];

/** Departments on each unit core: its government office (a zone's management committee), service centre, finance bureau. */
function unitDepartments(zh: string, zone: boolean): Array<[string, string]> {
  return [
    ['gov', zone ? `${zh}管理委员会办公室` : `${zh}人民政府办公室`],
    ['service', `${zh}政务服务中心`],
    ['finance', `${zh}财政局`],
  ];
}

export interface CityFleetNode extends FleetNode {
  /** The official Chinese name (a township's or village's from the division list). */
  name: string;
  level: 'city' | 'unit' | 'township' | 'village' | 'department';
  /** The division code of a township (9 digits) or village (12 digits). */
  code?: string;
}

export interface CityFleet {
  /** Every node: the city core and the city departments first, then each unit's, core first. */
  nodes: CityFleetNode[];
  /** The nodes the platforms' collector reports beside the platforms: the city core and the city departments. */
  city: CityFleetNode[];
  /** Each unit's nodes (its core, departments, townships, villages), keyed by unit code. */
  byUnit: Map<string, CityFleetNode[]>;
}

/** The four-level tree of the real city. Throws when the zone table names a township the list lacks or twice. */
export function buildCityFleet(divisions: GuiyangDivisions = guiyangDivisions(), zones: Readonly<Record<string, readonly string[]>> = ZONE_TOWNSHIPS): CityFleet {
  const zoneOf = new Map<string, string>();
  const townshipCodes = new Set(divisions.townships.map((t) => t.code));
  for (const [zone, codes] of Object.entries(zones)) {
    if (findUnit(zone)?.kind !== 'zone') throw new Error(`city fleet: ${JSON.stringify(zone)} is not a zone id`);
    for (const code of codes) {
      if (!townshipCodes.has(code)) throw new Error(`city fleet: zone ${zone} lists township ${code}, which the division list does not have`);
      if (zoneOf.has(code)) throw new Error(`city fleet: township ${code} is listed for ${zoneOf.get(code)} and ${zone}`);
      zoneOf.set(code, zone);
    }
  }

  const city: CityFleetNode[] = [
    {
      id: CITY_CORE, unit: CITY_DISTRICT, role: 'core', level: 'city', name: '贵阳市电子政务外网核心', everyMs: LEVEL_INTERVAL_MS.city,
      // Its reachability is measured towards the provincial extranet; a random fault never takes it
      // down (that would be the whole city): a demo injects that on purpose.
      target: 'province', latencyMs: 2.0, capacityBps: 40e9, randomDown: false,
    },
    ...CITY_DEPARTMENTS.map(([key, name]): CityFleetNode => ({
      id: `gy-dept-${key}`, unit: CITY_DISTRICT, role: 'access', level: 'department', parent: CITY_CORE, name, everyMs: LEVEL_INTERVAL_MS.department,
    })),
  ];

  const byUnit = new Map<string, CityFleetNode[]>();
  for (const u of UNITS) {
    const core = `${u.code}-core-1`;
    const zone = u.kind === 'zone';
    // A zone's nodes stand in a district: their points carry district = that district, unit = the zone.
    const district = zone ? u.hostDistrict : undefined;
    byUnit.set(u.code, [
      { id: core, unit: u.code, district, role: 'core', level: 'unit', parent: CITY_CORE, name: `${u.zh}汇聚节点`, everyMs: LEVEL_INTERVAL_MS.unit },
      ...unitDepartments(u.zh, zone).map(([key, name]): CityFleetNode => ({
        id: `${u.code}-dept-${key}`, unit: u.code, district, role: 'access', level: 'department', parent: core, name, everyMs: LEVEL_INTERVAL_MS.department,
      })),
    ]);
  }
  const villagesOf = new Map<string, GuiyangDivisions['villages'][number][]>();
  for (const v of divisions.villages) {
    const list = villagesOf.get(v.township) ?? [];
    list.push(v);
    villagesOf.set(v.township, list);
  }
  const districts = new Set(DISTRICTS.map((d) => d.code));
  for (const t of divisions.townships) {
    if (!districts.has(t.county)) throw new Error(`city fleet: township ${t.code} is in no Guiyang district`);
    const unit = zoneOf.get(t.code) ?? t.county;
    const district = unit === t.county ? undefined : t.county;
    const id = `t${t.code}`;
    const list = byUnit.get(unit)!;
    list.push({ id, unit, district, role: 'access', level: 'township', parent: `${unit}-core-1`, name: t.name, code: t.code, everyMs: LEVEL_INTERVAL_MS.township });
    for (const v of villagesOf.get(t.code) ?? []) {
      list.push({ id: `v${v.code}`, unit, district, role: 'access', level: 'village', parent: id, name: v.name, code: v.code, everyMs: LEVEL_INTERVAL_MS.village });
    }
  }
  // `district: undefined` keys would reach the tags as nothing, but keep the objects clean.
  for (const list of byUnit.values()) for (const n of list) if (n.district === undefined) delete n.district;
  return { nodes: [...city, ...[...byUnit.values()].flat()], city, byUnit };
}

let names: ReadonlyMap<string, string> | undefined;

/**
 * The Chinese name of each simulated city node by id (`t520102016` → 新华路街道). The points carry
 * ids only (a name tag would ride on every point and split a series when a name changes); the node
 * registry reads names here.
 */
export function cityNodeNames(): ReadonlyMap<string, string> {
  names ??= new Map(buildCityFleet().nodes.map((n) => [n.id, n.name]));
  return names;
}

/** Nodes of `ZHUYUN_SIMULATE_FLEET=city-10k`. */
export const CITY_10K_NODES = 10_000;

/**
 * The real city grown to `target` nodes, for measuring the live feed at ten times the city
 * (`ZHUYUN_SIMULATE_FLEET=city-10k`, docs/BENCHMARKS.md "Live feed at scale"): the real fleet, plus
 * generated village groups (村民小组) under the real townships, one real village after the other
 * round the whole list (1组, 2组, ... of each), until there are `target` nodes. A generated node is
 * named after its real village with the group's number (`红星村3组`), has the id
 * `g<village code>-<n>`, no division code, level `village` and its township as parent. Pure.
 */
export function buildCity10kFleet(base: CityFleet = buildCityFleet(), target = CITY_10K_NODES): CityFleet {
  const villages = base.nodes.filter((n) => n.level === 'village');
  if (!villages.length || base.nodes.length >= target) return base;
  const extra = new Map<string, CityFleetNode[]>();
  let count = base.nodes.length;
  for (let round = 1; count < target; round++) {
    for (const v of villages) {
      if (count >= target) break;
      const list = extra.get(v.id) ?? [];
      const { code: _code, ...rest } = v;
      list.push({ ...rest, id: `g${v.code}-${round}`, name: `${v.name}${round}组` });
      extra.set(v.id, list);
      count++;
    }
  }
  const byUnit = new Map<string, CityFleetNode[]>();
  for (const [unit, list] of base.byUnit) {
    // Each real village followed by its groups: a unit's nodes stay in tree order.
    byUnit.set(unit, list.flatMap((n) => [n, ...(extra.get(n.id) ?? [])]));
  }
  return { nodes: [...base.city, ...[...byUnit.values()].flat()], city: base.city, byUnit };
}

/** The simulated fleet of a ZHUYUN_SIMULATE_FLEET value other than `small`. */
export function fleetOf(fleet: 'city' | 'city-10k'): CityFleet {
  return fleet === 'city-10k' ? buildCity10kFleet() : buildCityFleet();
}
