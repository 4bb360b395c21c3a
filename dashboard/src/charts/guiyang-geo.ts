import { DISTRICTS } from '@zhuyun/protocol';
import { GUIYANG_MAP, REGION_KEY_PROPERTY } from './map.option';

interface Feature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: unknown;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

/**
 * Where each district's label sits, [lon, lat]. The file's own `cp` points crowd the city centre
 * (Wudang's sits in its south-west corner, next to Yunyan and Nanming), so labels go at the interior
 * point farthest from the boundary (computed once from this map), moved by hand where a zone
 * marker stands there: Nanming between the Economic & Tech. and Shuanglong zones, Baiyun north of
 * the Hi-tech and Bonded zones.
 */
export const LABEL_ANCHORS: Readonly<Record<string, [number, number]>> = {
  '520102': [106.735, 26.556],
  '520103': [106.72, 26.605],
  '520111': [106.663, 26.399],
  '520112': [106.913, 26.803],
  '520113': [106.63, 26.755],
  '520115': [106.531, 26.66],
  '520121': [107.0, 27.089],
  '520122': [106.653, 27.123],
  '520123': [106.613, 26.875],
  '520181': [106.321, 26.707],
};

/**
 * Keys every region of the Guiyang GeoJSON by its district code (as a string, in property
 * `code`), so the map never depends on how the file spells names: by `adcode` when present, else by
 * the Chinese name, and sets its label point (`cp`, which ECharts reads) from LABEL_ANCHORS.
 * Features that match no district are dropped. Returns a copy; the input is not changed.
 */
export function keyRegionsByCode(geo: FeatureCollection): FeatureCollection {
  const byName = new Map(DISTRICTS.map((d) => [d.zh, d.code]));
  const codes = new Set(DISTRICTS.map((d) => d.code));
  const features: Feature[] = [];
  for (const f of geo.features) {
    const adcode = f.properties?.adcode;
    const code = adcode !== undefined && codes.has(String(adcode)) ? String(adcode) : byName.get(String(f.properties?.name ?? ''));
    if (code) features.push({ ...f, properties: { ...f.properties, [REGION_KEY_PROPERTY]: code, cp: LABEL_ANCHORS[code] ?? f.properties.cp } });
  }
  return { type: 'FeatureCollection', features };
}

let loading: Promise<Set<string>> | undefined;

/**
 * Fetches the map (a static asset, `assets/guiyang.geo-<hash>.json`: 168 kB of GeoJSON, ~30 kB
 * gzip, simplified at build time by dashboard/scripts/simplify-guiyang-map.mjs; not JavaScript:
 * the browser parses it as JSON and caches it by its hashed name) and registers it with ECharts
 * under GUIYANG_MAP, once per page. Resolves with the district codes the map has.
 */
export function loadGuiyangMap(register: (name: string, geo: FeatureCollection) => void): Promise<Set<string>> {
  loading ??= fetch(new URL('../map/guiyang.geo.json', import.meta.url).href)
    .then((res) => {
      if (!res.ok) throw new Error(`map ${res.status}`);
      return res.json() as Promise<FeatureCollection>;
    })
    .then((raw) => {
      const geo = keyRegionsByCode(raw);
      register(GUIYANG_MAP, geo);
      return new Set(geo.features.map((f) => String(f.properties[REGION_KEY_PROPERTY])));
    });
  // A failed load (network) may be retried by the next caller.
  loading.catch(() => (loading = undefined));
  return loading;
}
