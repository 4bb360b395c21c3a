import { describe, expect, it } from '@jest/globals';
import { DISTRICTS } from '@zhuyun/protocol';
import { readFileSync } from 'node:fs';
import { keyRegionsByCode, type FeatureCollection } from './guiyang-geo';

const feature = (properties: Record<string, unknown>) => ({ type: 'Feature' as const, properties, geometry: null });

describe('keyRegionsByCode', () => {
  it('keys regions by adcode, else by Chinese name, and drops the rest', () => {
    const out = keyRegionsByCode({
      type: 'FeatureCollection',
      features: [feature({ name: '云岩区', adcode: 520103 }), feature({ name: '花溪区' }), feature({ name: '某地' })],
    });
    expect(out.features.map((f) => f.properties.code)).toEqual(['520103', '520111']);
  });

  it('finds all ten districts in the map file', () => {
    const geo = JSON.parse(readFileSync(new URL('../map/guiyang.geo.json', import.meta.url), 'utf8')) as FeatureCollection;
    const codes = keyRegionsByCode(geo).features.map((f) => f.properties.code);
    expect([...codes].sort()).toEqual(DISTRICTS.map((d) => d.code).sort());
  });
});
