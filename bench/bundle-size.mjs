// Shipped bytes of the dashboard's first views (issue 14: the overview's JavaScript under 350 KB
// gzip), from the built dashboard/dist and its chunk graph (dist/.vite/manifest.json): for a view,
// the entry script and its static imports, the view's own chunk (every view is loaded when first
// opened, dashboard/src/router.ts) and its static imports, their style sheets, and the data files
// they fetch (the Guiyang map's GeoJSON, a static asset, not JavaScript). Two views: `/login`
// (before sign-in) and `/` (the overview, after). The other chunks are listed apart.
// test/browser/bundle.spec.ts counts what Chromium really fetches for `/` and holds the limit.
//
//   npm run build:dashboard && node bench/bundle-size.mjs [--limit-kb 350]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values: opt } = parseArgs({ options: { 'limit-kb': { type: 'string', default: '350' } } });
const LIMIT = Number(opt['limit-kb']) * 1024;
const dist = new URL('../dashboard/dist/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);

/** A chunk and everything it imports statically: files (js, css) and assets (the map's JSON). */
function closure(keys) {
  const files = new Set();
  const seen = new Set();
  const walk = (k) => {
    if (seen.has(k)) return;
    seen.add(k);
    const c = manifest[k];
    files.add(c.file);
    for (const css of c.css ?? []) files.add(css);
    for (const a of c.assets ?? []) files.add(a);
    for (const i of c.imports ?? []) walk(i);
  };
  keys.forEach(walk);
  return files;
}

const size = (file) => {
  const buf = readFileSync(join(dist, file));
  return { file, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const kindOf = (f) => (f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : 'data');
const VIEWS = [
  { name: '/login (before sign-in)', keys: [entryKey, 'src/views/LoginView.vue'] },
  { name: '/ (the overview, after sign-in)', keys: [entryKey, 'src/views/OverviewView.vue'], limited: true },
];

const totals = {};
const counted = new Set();
for (const v of VIEWS) {
  const files = [...closure(v.keys)];
  files.forEach((f) => counted.add(f));
  const rows = files.map(size).sort((a, b) => b.gzip - a.gzip);
  const sum = (kind) => rows.filter((r) => kindOf(r.file) === kind).reduce((n, r) => n + r.gzip, 0);
  totals[v.name] = { js: sum('js'), css: sum('css'), data: sum('data') };
  console.log(`${v.name}:`);
  for (const r of rows) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)} gzip`);
  const t = totals[v.name];
  console.log(`  ${'JavaScript'.padEnd(44)} ${''.padStart(10)} ${kb(t.js).padStart(10)} gzip${v.limited ? ` (limit ${kb(LIMIT)})` : ''}`);
  console.log(`  ${'style sheets, data (map)'.padEnd(44)} ${kb(t.css).padStart(10)} ${kb(t.data).padStart(10)} gzip`);
}
const later = Object.values(manifest)
  .flatMap((c) => [c.file, ...(c.css ?? [])])
  .filter((f, i, all) => all.indexOf(f) === i && !counted.has(f) && /\.(js|css)$/.test(f))
  .map(size)
  .sort((a, b) => b.gzip - a.gzip);
console.log('loaded when another view is opened:');
for (const r of later) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)} gzip`);
const first = totals[VIEWS.find((v) => v.limited).name];
// The line bench/dashboard-load.bench.mjs and bench/run-all.mjs read.
console.log(`  total ${kb(first.js)} gzip: the overview's JavaScript`);
if (first.js > LIMIT) {
  console.error(`the overview ships ${kb(first.js)} gzip of JavaScript, over the ${kb(LIMIT)} limit`);
  process.exit(1);
}
