// Compiles the Node workspaces (protocol, collectors, server) from src/ to dist/ with swc.
// swc keeps decorator metadata, which Nest's injection needs; tsc only type-checks (npm run typecheck).
// Spec files are not built. Runs in about a second, so `npm start` and `npm run zhuyun` call it each time.
// A file whose source starts with `#!` (a CLI) is written with mode 0755 so it runs as a command, and
// each workspace's `bin` gets its link in node_modules/.bin (see linkBins below).
import { transformFile } from '@swc/core';
import { chmod, copyFile, lstat, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { swcOptions } from './swc.options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = ['protocol', 'collectors', 'server'];

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testdata') yield* sources(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    } else if (entry.name.endsWith('.json')) {
      // Data read at run time beside its module (server/src/divisions/guiyang-divisions.json).
      yield path;
    }
  }
}

let count = 0;
for (const ws of workspaces) {
  const src = join(root, ws, 'src');
  const dist = join(root, ws, 'dist');
  await rm(dist, { recursive: true, force: true });
  const jobs = [];
  for await (const file of sources(src)) {
    const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
    if (file.endsWith('.json')) {
      jobs.push(mkdir(dirname(out), { recursive: true }).then(() => copyFile(file, out)));
      continue;
    }
    jobs.push(
      transformFile(file, { ...swcOptions, sourceMaps: true, filename: file }).then(async ({ code, map }) => {
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
        // writeFile creates with 0666 & ~umask and keeps the mode of a file it overwrites; chmod either way.
        if (code.startsWith('#!')) await chmod(out, 0o755);
        if (map) await writeFile(`${out}.map`, map);
      }),
    );
  }
  await Promise.all(jobs);
  count += jobs.length;
}
/**
 * npm links a workspace's `bin` into node_modules/.bin at install time only if the target exists
 * then; after `npm ci` on a fresh clone dist/ does not, so the link is missing and `npx
 * zhuyun-collector` would go looking in the registry. Create the links npm would have made; never
 * replace a file or a link that points elsewhere.
 */
async function linkBins() {
  const linked = [];
  for (const ws of workspaces) {
    const pkg = JSON.parse(await readFile(join(root, ws, 'package.json'), 'utf8'));
    const bins = typeof pkg.bin === 'string' ? { [pkg.name.split('/').pop()]: pkg.bin } : (pkg.bin ?? {});
    for (const [name, target] of Object.entries(bins)) {
      const binDir = join(root, 'node_modules', '.bin');
      const link = join(binDir, name);
      const exists = await lstat(link).then(() => true, () => false);
      if (exists) continue;
      await mkdir(binDir, { recursive: true });
      await symlink(relative(binDir, join(root, ws, target)), link);
      linked.push(name);
    }
  }
  return linked;
}

const linked = await linkBins();
console.error(`build-node: ${count} files compiled (${workspaces.join(', ')})${linked.length ? `; linked ${linked.join(', ')} in node_modules/.bin` : ''}`);
