// Dashboard load in Chromium (Debian's /usr/bin/chromium through playwright-core): from navigation
// to the overview's map drawn, median of N runs, each in a fresh profile (cold HTTP cache), signed
// in, against one server process (node server/dist/main.js, the built dashboard from
// dashboard/dist, the simulated city running so that the live snapshot has data).
// Two moments, both read in the page (performance.now(), i.e. ms since navigation start) through
// the hooks the dashboard exposes to tests (dashboard/src/test-hooks.ts, `window.__zhuyun`):
// - map drawn: the map series holds the ten districts (`mapRegions().length === 10`);
// - map live: a district is drawn with a status from the live snapshot (`mapStatus()` not unknown).
// Beside it, what the first view ships (bench/bundle-size.mjs's count, gzip) and the browser's own
// DOMContentLoaded and load events as bounds (the page's bytes alone, before any script's work).
//
//   npm run build && node bench/dashboard-load.bench.mjs [--runs 7]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { machineLoad, pct } from './lib/measure.mjs';

const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '7' }, chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' } } });
const RUNS = Number(opt.runs);
const root = new URL('..', import.meta.url).pathname;

const bundle = execFileSync('node', [join(root, 'bench/bundle-size.mjs')], { encoding: 'utf8' });
const shippedKb = Number(/^\s+total\s+([\d.]+) KB gzip/m.exec(bundle)?.[1]);

const dir = mkdtempSync(join(tmpdir(), 'zhuyun-dashload-'));
const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_SIMULATE: '1' };
const { url, child } = await spawnServer(env);
const runs = [];
const loadBefore = machineLoad();
try {
  const token = await adminToken(url, env);
  await new Promise((r) => setTimeout(r, 3_000)); // the simulated fleet's first reports
  for (let i = 0; i < RUNS; i++) {
    const profile = mkdtempSync(join(tmpdir(), 'zhuyun-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: opt.chromium,
      headless: true,
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      await context.addCookies([{ name: 'zhuyun_session', value: token, url, httpOnly: true, sameSite: 'Strict' }]);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url, { waitUntil: 'commit' });
      const drawn = await (await page.waitForFunction(() => ((window.__zhuyun?.mapRegions() ?? []).length === 10 ? performance.now() : 0), null, { polling: 'raf', timeout: 30_000 })).jsonValue();
      const live = await (
        await page.waitForFunction(() => (Object.values(window.__zhuyun?.mapStatus() ?? {}).some((s) => s !== 'unknown') ? performance.now() : 0), null, { polling: 'raf', timeout: 30_000 })
      ).jsonValue();
      await page.waitForLoadState('load');
      const nav = await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0];
        const js = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'));
        return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, jsBytes: js.reduce((s, r) => s + r.transferSize, 0) };
      });
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      runs.push({ drawn, live, ...nav });
      console.log(`  run ${i + 1}: map drawn ${drawn.toFixed(0)} ms, map live ${live.toFixed(0)} ms, DOMContentLoaded ${nav.dcl.toFixed(0)} ms, load ${nav.load.toFixed(0)} ms, JS transferred ${(nav.jsBytes / 1024).toFixed(0)} KB`);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
const med = (k) => pct(runs.map((r) => r[k]), 0.5);
const summary = {
  bench: 'dashboard-load',
  runs: RUNS,
  mapDrawnMedianMs: Math.round(med('drawn')),
  mapDrawnMaxMs: Math.round(pct(runs.map((r) => r.drawn), 1)),
  mapLiveMedianMs: Math.round(med('live')),
  domContentLoadedMedianMs: Math.round(med('dcl')),
  loadEventMedianMs: Math.round(med('load')),
  jsTransferredKb: Math.round(med('jsBytes') / 1024),
  firstViewShippedGzipKb: shippedKb,
  load: `${loadBefore} → ${machineLoad()}`,
};
console.log(
  `dashboard load, median of ${RUNS} cold runs: map drawn ${summary.mapDrawnMedianMs} ms (max ${summary.mapDrawnMaxMs}), map live ${summary.mapLiveMedianMs} ms; ` +
    `bounds: DOMContentLoaded ${summary.domContentLoadedMedianMs} ms, load event ${summary.loadEventMedianMs} ms; ` +
    `first view ships ${shippedKb} KB gzip (bundle-size.mjs), ${summary.jsTransferredKb} KB of JS transferred; load avg ${summary.load}`,
);
console.log(JSON.stringify(summary));
