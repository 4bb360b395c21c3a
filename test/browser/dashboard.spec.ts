import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { artifactPath, browserAvailable, launchBrowser, signIn, waitFor } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

const run = browserAvailable() ? describe : describe.skip;

const DISTRICTS_ZH = ['南明区', '云岩区', '花溪区', '乌当区', '白云区', '观山湖区', '开阳县', '息烽县', '修文县', '清镇市'];

/** Polls `read` in the page until `ok` accepts its value; returns that value. */
run('dashboard in headless Chromium (the simulated city)', () => {
  let server: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    // npm test builds the dashboard first; the server serves it from dashboard/dist.
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer({ ZHUYUN_SIMULATE: '1' });
    browser = await launchBrowser();
    await signIn(browser.context, server);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the ten districts, shows live figures changing, and a fault turns nodes red', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });

    const regions = await waitFor(page, () => page.evaluate(() => window.__zhuyun?.mapRegions() ?? []), (r) => r.length === 10, 15_000, 'ten map regions');
    expect([...regions].sort()).toEqual([...DISTRICTS_ZH].sort());

    // Live: the median latency is filled; the sharing platform's figures (call rates) change as
    // frames arrive, second by second.
    await waitFor(page, () => page.getByTestId('kpi-latency').innerText(), (t) => /\d/.test(t), 15_000, 'a latency figure');
    const share = page.getByTestId('platform-share');
    const first = await waitFor(page, () => share.innerText(), (t) => /\d/.test(t), 15_000, 'sharing platform figures');
    await waitFor(page, () => share.innerText(), (t) => t !== first, 10_000, 'the sharing platform figures changing');
    const frameAt = await page.evaluate(() => window.__zhuyun!.lastFrameAt);
    expect(Date.now() - frameAt).toBeLessThan(5_000);
    const up = Number((await page.getByTestId('count-up').innerText()).replace(/\D/g, ''));
    expect(up).toBeGreaterThan(40); // 14 units × 4 extranet nodes, most of them up

    // A link down in Yunyan: its core and access nodes go down on the wall within seconds.
    server.app.get(SimulationService).injectFault({ kind: 'link_down', unit: '520103', durationMs: 60_000 });
    await waitFor(page, async () => Number((await page.getByTestId('count-down').innerText()).replace(/\D/g, '')), (n) => n >= 4, 5_000, 'four nodes down');

    await page.screenshot({ path: artifactPath('overview-1920x1080.png') });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: artifactPath('overview-1366x768.png') });
    const scroll = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
    expect(scroll.w).toBeLessThanOrEqual(1366);

    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('lists the collectors and their health', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    const badge = page.getByTestId('collectors-badge');
    // 14 districts and zones and the platforms: 15 simulated collectors, all reporting.
    await waitFor(page, () => badge.innerText(), (t) => /15\s*在线/.test(t), 20_000, 'fifteen collectors online');
    await badge.locator('summary').click();
    await waitFor(page, () => page.locator('[data-collector]').count(), (n) => n === 15, 5_000, 'fifteen rows');
    expect(await page.locator('[data-collector="sim-520103"]').innerText()).toMatch(/云岩.*在线/);
    await page.screenshot({ path: artifactPath('collectors-1920x1080.png') });
    await page.close();
  }, 60_000);

  it('switches to English and back', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/?district=520181`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => page.evaluate(() => window.__zhuyun?.mapRegions() ?? []), (r) => r.length === 10, 15_000, 'map');
    await page.getByTestId('lang-en').click();
    const regions = await waitFor(page, () => page.evaluate(() => window.__zhuyun!.mapRegions()), (r) => r.includes('Qingzhen'), 5_000, 'English region names');
    expect(regions).toContain('Yunyan');
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: artifactPath('overview-en-1920x1080.png') });
    await page.getByTestId('lang-zh-CN').click();
    await waitFor(page, () => page.evaluate(() => window.__zhuyun!.mapRegions()), (r) => r.includes('清镇市'), 5_000, 'Chinese region names');
    await page.close();
  }, 60_000);
  it('asks for a sign-in without a session, refuses a wrong password, and opens the overview after', async () => {
    await browser.context.clearCookies();
    const accounts = server.app.get((await import('../../server/src/security/accounts.service.js')).AccountsService);
    await accounts.addUser({ username: 'zhang.wei', role: 'ops', password: 'Yunyan-duty-2026' }, 'test');
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/topology`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => page.getByTestId('login').count(), (n) => n === 1, 10_000, 'the sign-in page');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.screenshot({ path: artifactPath('login-1920x1080.png') });
    await page.getByTestId('login-username').fill('zhang.wei');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    expect(await waitFor(page, () => page.getByTestId('login-error').innerText().catch(() => ''), (t) => t !== '', 5_000, 'the error')).toMatch(/用户名或密码错误/);
    await page.getByTestId('login-password').fill('Yunyan-duty-2026');
    await page.getByTestId('login-submit').click();
    // Back where it was going, signed in, with live data over the socket that was refused before.
    await waitFor(page, () => page.evaluate(() => window.__zhuyun?.route() ?? ''), (r) => r === '/topology', 10_000, 'the topology view');
    expect(await page.getByTestId('user').innerText()).toMatch(/zhang\.wei/);
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => page.evaluate(() => window.__zhuyun?.mapRegions() ?? []), (r) => r.length === 10, 15_000, 'the map');
    await waitFor(page, () => page.getByTestId('kpi-latency').innerText(), (t) => /\d/.test(t), 15_000, 'live figures');
    await page.close();
    await signIn(browser.context, server);
  }, 60_000);
});
