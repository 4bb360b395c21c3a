// Compiles the Node workspaces (protocol, collectors, server) from src/ to dist/ with swc.
// swc keeps decorator metadata, which Nest's injection needs; tsc only type-checks (npm run typecheck).
// Spec files are not built. Runs in about a second, so `npm start` and `npm run zhuyun` call it each time.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
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
    jobs.push(
      transformFile(file, { ...swcOptions, sourceMaps: true, filename: file }).then(async ({ code, map }) => {
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
        if (map) await writeFile(`${out}.map`, map);
      }),
    );
  }
  await Promise.all(jobs);
  count += jobs.length;
}
console.error(`build-node: ${count} files compiled (${workspaces.join(', ')})`);
