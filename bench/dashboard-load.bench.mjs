// Dashboard load in Chromium (Debian's /usr/bin/chromium through playwright-core): from navigation
// to a page drawn, median of N runs, each in a fresh profile (cold HTTP cache), signed in, against
// one server process (node server/dist/main.js, the built dashboard from dashboard/dist, the
// simulated fleet running so that the live snapshot has data).
// Pages (`--pages`, all by default), each with the moment it counts as drawn, read in the page
// (performance.now(), i.e. ms since navigation start) through the hooks the dashboard exposes to
// tests (dashboard/src/test-hooks.ts, `window.__zhuyun`) or its test ids:
// - overview `/`: map drawn = the map series holds the ten districts (`mapRegions().length === 10`);
//   map live = a district drawn with a status from the live snapshot (`mapStatus()` not unknown);
// - district `/district/520181` (清镇, 255 nodes at the city fleet): the node list shows its rows
//   and its count of the district's nodes;
// - topology `/topology`: the tree drawn folded at the city and its 14 units.
// For each page: the longest main-thread task (PerformanceObserver 'longtask', installed before
// the page's scripts) from navigation until 3 s after drawn (the first live frames included), and
// the JavaScript the page fetched (every .js response, gzip -9 of its body, as bundle-size.mjs
// counts). Beside them the browser's own DOMContentLoaded and load events as bounds.
//
//   npm run build && node bench/dashboard-load.bench.mjs [--runs 7] [--fleet city] [--pages overview,district,topology]
// --fleet: the simulated fleet (ZHUYUN_SIMULATE_FLEET: small, city, city-10k, … passed through as
// given; default the shell's ZHUYUN_SIMULATE_FLEET, else small). For city and city-10k the bench
// waits until 97 % of the fleet's nodes report before the first load (city-10k with the new-series
// guard raised, ZHUYUN_MAX_NEW_SERIES_PER_MINUTE=1000000, so that the fleet is admitted by then).
// --profile DIR: also writes a CPU profile (.cpuprofile, CDP Profiler.start/stop) of each load.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { adminToken, spawnServer } from '../scripts/spawn-server.mjs';
import { machineLoad, pct } from './lib/measure.mjs';

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    fleet: { type: 'string', default: process.env.ZHUYUN_SIMULATE_FLEET ?? 'small' },
    pages: { type: 'string', default: 'overview,district,topology' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    profile: { type: 'string' },
  },
});
/** Nodes each fleet simulates (city-fleet.ts): the bench waits until 97 % of them report. */
const NODES = { city: 1_840, 'city-10k': 10_000 };
const RUNS = Number(opt.runs);
const SETTLE_MS = 3_000;
const root = new URL('..', import.meta.url).pathname;

/** What each page waits for; `ready` runs in the page and returns performance.now() once drawn, else 0. */
const PAGES = {
  overview: {
    path: '/',
    ready: () => ((window.__zhuyun?.mapRegions() ?? []).length === 10 ? performance.now() : 0),
    live: () => (Object.values(window.__zhuyun?.mapStatus() ?? {}).some((s) => s !== 'unknown') ? performance.now() : 0),
  },
  district: {
    path: '/district/520181',
    ready: () => {
      // Rows listed and the count drawn ("255 个节点中的 255 个"; past 500 nodes "显示 N 个节点中的 500 个").
      const rows = document.querySelectorAll('[data-testid="node-table"] tr[data-node]').length;
      const shown = document.querySelector('[data-testid="nodes-shown"]')?.textContent ?? '';
      return rows > 0 && /\d/.test(shown) ? performance.now() : 0;
    },
  },
  topology: {
    path: '/topology',
    ready: () => ((window.__zhuyun?.topologyItems() ?? []).length >= 15 ? performance.now() : 0),
  },
};
const pages = opt.pages.split(',').map((p) => {
  if (!PAGES[p]) throw new Error(`unknown page ${p}: one of ${Object.keys(PAGES).join(', ')}`);
  return p;
});

const bundle = execFileSync('node', [join(root, 'bench/bundle-size.mjs'), '--limit-kb', '100000'], { encoding: 'utf8' });
const shippedKb = Number(/^\s+total\s+([\d.]+) KB gzip/m.exec(bundle)?.[1]);

const dir = mkdtempSync(join(tmpdir(), 'zhuyun-dashload-'));
// The new-series guard (20,000 a minute by default) would still be admitting city-10k's ~60,000
// series while the pages load: raised, as bench/live-scale.bench.mjs does.
const env = { ZHUYUN_DATA_DIR: dir, ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: opt.fleet, ...(opt.fleet === 'city-10k' ? { ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '1000000' } : {}) };
const { url, child } = await spawnServer(env);
const runs = Object.fromEntries(pages.map((p) => [p, []]));
const loadBefore = machineLoad();
let reporting;
try {
  const token = await adminToken(url, env);
  // The simulated fleet's first reports (villages report every 10 s); then, for a known fleet, until
  // 97 % of its nodes report (GET /api/v1/districts counts them), as bench/live-scale.bench.mjs does.
  await new Promise((r) => setTimeout(r, opt.fleet === 'small' ? 3_000 : 12_000));
  if (NODES[opt.fleet]) {
    for (let i = 0; i < 90; i++) {
      const res = await fetch(`${url}/api/v1/districts`, { headers: { authorization: `Bearer ${token}` } });
      const c = (await res.json()).counts;
      reporting = c.up + c.degraded + c.down;
      if (reporting >= NODES[opt.fleet] * 0.97) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    console.log(`  ${reporting} of ${NODES[opt.fleet]} nodes reporting before the first load`);
  }
  for (let i = 0; i < RUNS; i++) {
    for (const name of pages) {
      const spec = PAGES[name];
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
        await context.addInitScript(() => {
          window.__longTasks = [];
          new PerformanceObserver((l) => {
            for (const e of l.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
          }).observe({ type: 'longtask', buffered: true });
        });
        const page = await context.newPage();
        // --profile DIR: a CPU profile (CDP Profiler) of each load, from navigation until drawn + settle.
        const cdp = opt.profile ? await context.newCDPSession(page) : undefined;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        const errors = [];
        const js = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('response', (r) => {
          if (new URL(r.url()).pathname.endsWith('.js')) js.push(r.body().then((b) => gzipSync(b, { level: 9 }).length, () => 0));
        });
        await page.goto(`${url}${spec.path}`, { waitUntil: 'commit' });
        const drawn = await (await page.waitForFunction(spec.ready, null, { polling: 'raf', timeout: 60_000 })).jsonValue();
        const live = spec.live ? await (await page.waitForFunction(spec.live, null, { polling: 'raf', timeout: 60_000 })).jsonValue() : undefined;
        await page.waitForLoadState('load');
        await page.waitForTimeout(SETTLE_MS);
        const nav = await page.evaluate(() => {
          const n = performance.getEntriesByType('navigation')[0];
          return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, tasks: window.__longTasks };
        });
        if (cdp) {
          const { profile: cpu } = await cdp.send('Profiler.stop');
          writeFileSync(join(opt.profile, `${name}-${opt.fleet}-run${i + 1}.cpuprofile`), JSON.stringify(cpu));
        }
        const longest = (until) => Math.max(0, ...nav.tasks.filter((t) => t.start <= until).map((t) => t.ms));
        const jsGzip = (await Promise.all(js)).reduce((a, b) => a + b, 0);
        if (errors.length) throw new Error(`page errors on ${name}: ${errors.join('; ')}`);
        const r = { drawn, live, dcl: nav.dcl, load: nav.load, longestToDrawn: longest(drawn), longest: longest(Infinity), jsGzip, jsFiles: js.length };
        runs[name].push(r);
        console.log(
          `  run ${i + 1} ${name.padEnd(8)}: drawn ${drawn.toFixed(0)} ms${live !== undefined ? `, live ${live.toFixed(0)} ms` : ''}, DOMContentLoaded ${nav.dcl.toFixed(0)} ms, ` +
            `longest task ${r.longestToDrawn.toFixed(0)} ms to drawn / ${r.longest.toFixed(0)} ms to +${SETTLE_MS / 1000} s, JS ${(jsGzip / 1024).toFixed(1)} KB gzip in ${js.length} files`,
        );
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
}
const med = (name, k) => Math.round(pct(runs[name].map((r) => r[k]), 0.5));
const max = (name, k) => Math.round(pct(runs[name].map((r) => r[k]), 1));
const perPage = Object.fromEntries(
  pages.map((p) => [
    p,
    {
      drawnMedianMs: med(p, 'drawn'),
      drawnMaxMs: max(p, 'drawn'),
      ...(PAGES[p].live ? { liveMedianMs: med(p, 'live') } : {}),
      domContentLoadedMedianMs: med(p, 'dcl'),
      longestTaskToDrawnMedianMs: med(p, 'longestToDrawn'),
      longestTaskMedianMs: med(p, 'longest'),
      longestTaskMaxMs: max(p, 'longest'),
      jsGzipKb: Math.round((10 * pct(runs[p].map((r) => r.jsGzip), 0.5)) / 1024) / 10,
    },
  ]),
);
const summary = {
  bench: 'dashboard-load',
  runs: RUNS,
  fleet: opt.fleet,
  ...(reporting !== undefined ? { reporting } : {}),
  pages: perPage,
  ...(perPage.overview ? { mapDrawnMedianMs: perPage.overview.drawnMedianMs, mapDrawnMaxMs: perPage.overview.drawnMaxMs, mapLiveMedianMs: perPage.overview.liveMedianMs } : {}),
  firstViewShippedGzipKb: shippedKb,
  load: `${loadBefore} → ${machineLoad()}`,
};
console.log(`dashboard load at fleet ${opt.fleet}, median of ${RUNS} cold runs (first view ships ${shippedKb} KB gzip by bundle-size.mjs; load avg ${summary.load}):`);
for (const [p, s] of Object.entries(perPage)) {
  console.log(
    `  ${p.padEnd(8)} drawn ${s.drawnMedianMs} ms (max ${s.drawnMaxMs})${s.liveMedianMs !== undefined ? `, live ${s.liveMedianMs} ms` : ''}, DOMContentLoaded ${s.domContentLoadedMedianMs} ms, ` +
      `longest task ${s.longestTaskToDrawnMedianMs} ms to drawn, ${s.longestTaskMedianMs} ms to +${SETTLE_MS / 1000} s (max ${s.longestTaskMaxMs}), JS fetched ${s.jsGzipKb} KB gzip`,
  );
}
console.log(JSON.stringify(summary));
