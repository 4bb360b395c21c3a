import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { countPoints, douglasPeucker, simplifyFeatureCollection, type FeatureCollection, type Position } from '../../scripts/simplify-geo.mjs';

type Ring = Position[];
const ringsOf = (geo: FeatureCollection): Ring[][] =>
  geo.features.map((f) => {
    const g = f.geometry!;
    return g.type === 'Polygon' ? (g.coordinates as Ring[]) : (g.coordinates as Ring[][]).flat();
  });
const bbox = (rings: Ring[]) => {
  const xs = rings.flat().map((p) => p[0]);
  const ys = rings.flat().map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
};
const key = (p: Position) => `${p[0]},${p[1]}`;
const polygon = (ring: Ring, props: Record<string, unknown> = {}) => ({
  type: 'Feature' as const,
  properties: props,
  geometry: { type: 'Polygon', coordinates: [ring] },
});

describe('douglasPeucker', () => {
  it.each([
    { name: 'keeps both ends of a straight line only', points: [[0, 0], [1, 0.0001], [2, 0], [3, 0]], tolerance: 0.01, out: [[0, 0], [3, 0]] },
    { name: 'keeps a corner above the tolerance', points: [[0, 0], [1, 1], [2, 0]], tolerance: 0.5, out: [[0, 0], [1, 1], [2, 0]] },
    { name: 'drops a corner under the tolerance', points: [[0, 0], [1, 0.2], [2, 0]], tolerance: 0.5, out: [[0, 0], [2, 0]] },
    { name: 'leaves two points as they are', points: [[0, 0], [1, 1]], tolerance: 10, out: [[0, 0], [1, 1]] },
  ])('$name', ({ points, tolerance, out }) => {
    expect(douglasPeucker(points, tolerance)).toEqual(out);
  });
});

describe('simplifyFeatureCollection', () => {
  it('simplifies a shared border the same way on both sides', () => {
    // Two squares sharing the wavy border x≈1 (walked in opposite directions), each with noise.
    const border: Ring = [[1, 0], [1.0001, 0.25], [0.9999, 0.5], [1.0001, 0.75], [1, 1]];
    const left = polygon([[0, 0], ...border, [0, 1], [0.0001, 0.5], [0, 0]]);
    const right = polygon([[1, 1], ...border.slice().reverse().slice(1), [2, 0], [2.0001, 0.5], [2, 1], [1, 1]]);
    const out = simplifyFeatureCollection({ type: 'FeatureCollection', features: [left, right] }, 0.01);
    const [[l], [r]] = ringsOf(out);
    expect(l.map(key)).toEqual(['1,0', '1,1', '0,1', '0,0', '1,0']);
    // The outer arc [1,0]…[1,1] keeps its point farthest from the chord, (2.0001, 0.5), and so both corners.
    expect(r.map(key)).toEqual(['1,1', '1,0', '2,0', '2.0001,0.5', '2,1', '1,1']);
  });

  it('keeps an island at least a triangle', () => {
    const out = simplifyFeatureCollection({ type: 'FeatureCollection', features: [polygon([[0, 0], [1, 0], [1, 0.001], [0, 0.001], [0, 0]])] }, 0.1);
    const [[ring]] = ringsOf(out);
    expect(ring.length).toBeGreaterThanOrEqual(4);
    expect(key(ring[0])).toBe(key(ring[ring.length - 1]));
  });

  describe('the Guiyang map at 0.0005°', () => {
    const geo = JSON.parse(readFileSync(new URL('./guiyang.geo.json', import.meta.url), 'utf8')) as FeatureCollection;
    const tolerance = 0.0005;
    const out = simplifyFeatureCollection(geo, tolerance);

    it('has fewer points (the committed file is already simplified: a second pass changes little)', () => {
      expect(countPoints(out)).toBeLessThanOrEqual(countPoints(geo));
      expect(countPoints(geo)).toBeLessThan(10_000); // the extracted file had 14,728
    });

    it('keeps every ring closed with at least 4 points, and every bounding box within the tolerance', () => {
      const before = ringsOf(geo);
      ringsOf(out).forEach((rings, i) => {
        for (const r of rings) {
          expect(r.length).toBeGreaterThanOrEqual(4);
          expect(key(r[0])).toBe(key(r[r.length - 1]));
        }
        bbox(rings).forEach((v, j) => expect(Math.abs(v - bbox(before[i])[j])).toBeLessThanOrEqual(tolerance));
      });
    });

    it('keeps only points of the input, and a point kept on one side of a border on every side', () => {
      const input = new Map<string, number[]>(); // point → features holding it
      ringsOf(geo).forEach((rings, i) => rings.flat().forEach((p) => input.set(key(p), [...new Set([...(input.get(key(p)) ?? []), i])])));
      const kept = ringsOf(out).map((rings) => new Set(rings.flat().map(key)));
      for (const set of kept) {
        for (const k of set) {
          expect(input.has(k)).toBe(true);
          for (const f of input.get(k)!) expect(kept[f].has(k)).toBe(true);
        }
      }
    });
  });
});
