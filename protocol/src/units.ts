/**
 * The network-owning units of Article 9: Guiyang's ten county-level divisions, keyed by their
 * administrative code (GB/T 2260), and the four zones, keyed by our own ids (no zone has a code).
 */
export type UnitKind = 'district' | 'zone';

export interface Unit {
  /** Administrative code for a district (`520103`), our id for a zone (`gy-hitech`). */
  code: string;
  kind: UnitKind;
  /** Full Chinese name as written in official documents, and on the map. */
  zh: string;
  /** Short Chinese name for tight spaces (tables, chart axes). */
  zhShort: string;
  en: string;
  /** For a zone: the district its core node stands in (its area may reach further). */
  hostDistrict?: string;
  /** For a zone: where its marker sits on the map, [lon, lat] (WGS-84, approximate). */
  marker?: [number, number];
}

export const DISTRICTS: readonly Unit[] = [
  { code: '520102', kind: 'district', zh: '南明区', zhShort: '南明', en: 'Nanming' },
  { code: '520103', kind: 'district', zh: '云岩区', zhShort: '云岩', en: 'Yunyan' },
  { code: '520111', kind: 'district', zh: '花溪区', zhShort: '花溪', en: 'Huaxi' },
  { code: '520112', kind: 'district', zh: '乌当区', zhShort: '乌当', en: 'Wudang' },
  { code: '520113', kind: 'district', zh: '白云区', zhShort: '白云', en: 'Baiyun' },
  { code: '520115', kind: 'district', zh: '观山湖区', zhShort: '观山湖', en: 'Guanshanhu' },
  { code: '520121', kind: 'district', zh: '开阳县', zhShort: '开阳', en: 'Kaiyang' },
  { code: '520122', kind: 'district', zh: '息烽县', zhShort: '息烽', en: 'Xifeng' },
  { code: '520123', kind: 'district', zh: '修文县', zhShort: '修文', en: 'Xiuwen' },
  { code: '520181', kind: 'district', zh: '清镇市', zhShort: '清镇', en: 'Qingzhen' },
];

export const ZONES: readonly Unit[] = [
  {
    code: 'gy-hitech', kind: 'zone', zh: '贵阳国家高新技术产业开发区', zhShort: '高新区',
    en: 'Hi-tech Zone', hostDistrict: '520113', marker: [106.66, 26.70],
  },
  {
    code: 'gy-etdz', kind: 'zone', zh: '贵阳经济技术开发区', zhShort: '经开区',
    en: 'Economic & Tech. Zone', hostDistrict: '520111', marker: [106.68, 26.50],
  },
  {
    code: 'gy-bonded', kind: 'zone', zh: '贵阳综合保税区', zhShort: '综保区',
    en: 'Bonded Zone', hostDistrict: '520113', marker: [106.74, 26.74],
  },
  {
    code: 'gy-shuanglong', kind: 'zone', zh: '贵州双龙航空港经济区', zhShort: '双龙航空港',
    en: 'Shuanglong Airport Zone', hostDistrict: '520102', marker: [106.81, 26.55],
  },
];

export const UNITS: readonly Unit[] = [...DISTRICTS, ...ZONES];

/** Xiaohe (merged into Huaxi in 2012) still appears in old records; it reads as Huaxi. */
export const RETIRED_CODES: Readonly<Record<string, string>> = { '520114': '520111' };

const byCode = new Map(UNITS.map((u) => [u.code, u]));

export function findUnit(code: string): Unit | undefined {
  return byCode.get(code);
}

export function isUnitCode(code: string): boolean {
  return byCode.has(code);
}

/**
 * The unit a point belongs to, from its `district` tag and optional `unit` tag. `district` may name
 * a district (or the retired 520114) or, for short, a zone; `unit` names the zone that runs the
 * node's extranet segment (Article 9) when it is not the district. Returns undefined when the tags
 * name no known unit.
 */
export function resolveUnit(district: string, unit?: string): { district: string; unit: string } | undefined {
  // Once per ingested point: the answer for a (district, unit) pair is remembered.
  const key = unit === undefined ? district : `${district}/${unit}`;
  if (resolved.has(key)) return resolved.get(key);
  const r = resolveUncached(district, unit);
  if (resolved.size < 10_000) resolved.set(key, r);
  return r;
}

const resolved = new Map<string, { district: string; unit: string } | undefined>();

function resolveUncached(district: string, unit?: string): { district: string; unit: string } | undefined {
  const d = findUnit(RETIRED_CODES[district] ?? district);
  if (!d) return undefined;
  if (d.kind === 'zone') {
    if (unit !== undefined && unit !== d.code) return undefined;
    return { district: d.hostDistrict!, unit: d.code };
  }
  if (unit === undefined || unit === d.code) return { district: d.code, unit: d.code };
  const u = findUnit(unit);
  return u?.kind === 'zone' ? { district: d.code, unit: u.code } : undefined;
}
