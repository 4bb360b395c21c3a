// Shipped bytes of the dashboard's first view (issue 6: under 700 KB gzip), from the built
// dashboard/dist: what index.html loads (entry script, module preloads, style sheets) plus the
// Guiyang map chunk the overview fetches at once. The other views (district, topology, wall) are
// their own chunks, loaded when first opened, and are listed apart.
//
//   npm run build:dashboard && node bench/bundle-size.mjs [--limit-kb 700]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values: opt } = parseArgs({ options: { 'limit-kb': { type: 'string', default: '700' } } });
const LIMIT = Number(opt['limit-kb']) * 1024;
const dist = new URL('../dashboard/dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const firstView = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]));
const assets = readdirSync(join(dist, 'assets')).map((f) => `assets/${f}`);
for (const a of assets) if (/^assets\/guiyang\.geo-.*\.js$/.test(a)) firstView.add(a);

const size = (file) => {
  const buf = readFileSync(join(dist, file));
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = (files) => files.map((f) => ({ file: f, ...size(f) })).sort((a, b) => b.gzip - a.gzip);

const first = rows([...firstView]);
const later = rows(assets.filter((a) => !firstView.has(a) && /\.(js|css)$/.test(a)));
const total = first.reduce((n, r) => n + r.gzip, 0);

console.log('first view (overview):');
for (const r of first) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)} gzip`);
console.log(`  ${'total'.padEnd(44)} ${''.padStart(10)} ${kb(total).padStart(10)} gzip (limit ${kb(LIMIT)})`);
console.log('loaded when a view is opened:');
for (const r of later) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)} gzip`);
if (total > LIMIT) {
  console.error(`first view ships ${kb(total)} gzip, over the ${kb(LIMIT)} limit`);
  process.exit(1);
}
