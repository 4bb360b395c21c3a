#!/usr/bin/env node
// simplify-guiyang-map.mjs — simplifies the Guiyang map in place (issue 14: the overview's first
// map draw built and painted ~15,000 points, ~300 kB, in one long task).
//
//   node dashboard/scripts/simplify-guiyang-map.mjs [tolerance-in-degrees] [in.json] [out.json]
//
// Reads dashboard/src/map/guiyang.geo.json as extract-guiyang-map.mjs writes it (run that one first
// when the map is extracted again), simplifies every ring with Douglas–Peucker at TOLERANCE degrees
// (default 0.0005°, ~50 m: under one pixel even on a 3840x2160 wall, where the city's 1.3° of
// longitude span ~2,000 px, 0.00065° a pixel), keeping the borders districts share identical on both
// sides (simplify-geo.mjs), and writes it back. Idempotent in effect: a second run removes next to nothing.
// Checks: ten features, every ring closed with at least 4 points, each feature's bounding box moved
// by at most the tolerance; prints the point counts and sizes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countPoints, simplifyFeatureCollection } from './simplify-geo.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const tolerance = Number(process.argv[2] ?? 0.0005);
const inFile = path.resolve(process.argv[3] ?? path.join(here, '..', 'src', 'map', 'guiyang.geo.json'));
const outFile = path.resolve(process.argv[4] ?? inFile);
if (!(tolerance > 0 && tolerance < 0.01)) throw new Error(`tolerance ${process.argv[2]}: expected degrees, 0 < t < 0.01`);

const geo = JSON.parse(fs.readFileSync(inFile, 'utf8'));
const out = simplifyFeatureCollection(geo, tolerance);

const rings = (g) => (g.type === 'Polygon' ? g.coordinates : g.type === 'MultiPolygon' ? g.coordinates.flat() : []);
const bbox = (g) => {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const r of rings(g)) for (const [x, y] of r) {
    b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y);
  }
  return b;
};
if (out.features.length !== 10) throw new Error(`expected 10 features, got ${out.features.length}`);
out.features.forEach((f, i) => {
  for (const r of rings(f.geometry)) {
    const [a, z] = [r[0], r[r.length - 1]];
    if (r.length < 4 || a[0] !== z[0] || a[1] !== z[1]) throw new Error(`${f.properties.name}: a ring of ${r.length} points, or not closed`);
  }
  const before = bbox(geo.features[i].geometry);
  const after = bbox(f.geometry);
  const moved = Math.max(...before.map((v, j) => Math.abs(v - after[j])));
  if (moved > tolerance) throw new Error(`${f.properties.name}: bounding box moved ${moved}°`);
  console.log(`${f.properties.name}\t${countPoints({ features: [geo.features[i]] })} → ${countPoints({ features: [f] })} points`);
});
const json = JSON.stringify(out);
fs.writeFileSync(outFile, json + '\n');
console.log(`tolerance ${tolerance}°: ${countPoints(geo)} → ${countPoints(out)} points, ${fs.statSync(inFile).size} → ${Buffer.byteLength(json) + 1} bytes → ${outFile}`);
