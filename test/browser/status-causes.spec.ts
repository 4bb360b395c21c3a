import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { buildCityFleet } from '../../server/src/simulation/city-fleet.js';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { AccountsService } from '../../server/src/security/accounts.service.js';
import { browserAvailable, launchBrowser, signedInDashboard, waitFor, watchProblems } from '../support/browser.js';

/**
 * Issue 15 item 4 (status causes), items 6 and 16 (the collectors badge after sign-in), in the
 * simulated city: a township of 清镇 (520181) whose link is cut, a latency storm in 修文 (520123).
 * The causes read in Chinese on the overview's change feed, the district's node table and the node
 * page; signing in as admin or as a district user never shows the collectors' error state.
 * Screenshots go to /tmp/shots-status/.
 */
const run = browserAvailable() ? describe : describe.skip;
const UNIT = '520181';
const SHOTS = '/tmp/shots-status';

/** Text a zh-CN user should never read as a status cause. */
const ENGLISH_CAUSE = /no data for|net\.up = 0|net\.[a-z_]+ [\d.]+ [≥≤]|points arrive|aggregation node down|nodes down/;

run('status causes in Chinese, and the collectors badge after sign-in', () => {
  const dash = signedInDashboard({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' }, 90_000);
  const fleet = buildCityFleet().byUnit.get(UNIT)!;
  const township = fleet.filter((n) => n.level === 'township')[1];

  /**
   * Signs in through the sign-in page as a new user of `role`, then watches the header's collectors
   * badge (and the district's collectors panel) for 12 s: the error state must never show.
   */
  async function signInAndWatch(role: 'admin' | 'district', landing: RegExp): Promise<{ errors: string[]; statuses: number[] }> {
    const { server } = dash;
    const b = await launchBrowser();
    try {
      const accounts = server.app.get(AccountsService);
      const username = `zhang-${role}-${Date.now()}`;
      await accounts.addUser({ username, role, password: 'Yunyan-duty-2026', ...(role === 'district' ? { district: UNIT } : {}) }, 'test');
      const page = await b.context.newPage();
      const statuses: number[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/api/v1/collectors')) statuses.push(r.status());
      });
      await page.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
      await waitFor(page, () => page.getByTestId('login').count(), (n) => n === 1, 15_000, 'the sign-in page');
      await page.getByTestId('login-username').fill(username);
      await page.getByTestId('login-password').fill('Yunyan-duty-2026');
      await page.getByTestId('login-submit').click();
      const errors: string[] = [];
      const until = Date.now() + 12_000;
      while (Date.now() < until) {
        const seen = await page.evaluate(() => {
          const badge = document.querySelector('[data-testid="collectors-badge"]');
          const bang = [...(badge?.querySelectorAll('summary .lost') ?? [])].some((e) => e.textContent?.trim() === '!');
          const panel = document.querySelector('[data-testid="district-collectors"] .error')?.textContent ?? '';
          const badgeErr = badge?.querySelector('.list .error')?.textContent ?? '';
          return [bang ? 'badge !' : '', panel, badgeErr].filter(Boolean);
        });
        errors.push(...seen);
        await page.waitForTimeout(100);
      }
      expect(await page.evaluate(() => location.pathname)).toMatch(landing);
      // The badge (admin) or the district's collectors (district user) came with data.
      if (role === 'district') expect(await page.getByTestId('district-collectors').innerText()).not.toMatch(/读取失败|HTTP/);
      expect(await page.getByTestId('collectors-badge').getAttribute('data-lost')).not.toBeNull();
      await page.close();
      return { errors, statuses };
    } finally {
      await b.close();
    }
  }

  it('admin: the header never shows the collectors error state in the 12 s after sign-in; no 401', async () => {
    const r = await signInAndWatch('admin', /^\/$/);
    expect(r.errors).toEqual([]);
    expect(r.statuses.filter((s) => s !== 200)).toEqual([]);
    expect(r.statuses.length).toBeGreaterThan(0);
  }, 60_000);

  it('district user: the landing page never says 采集器列表读取失败; no 401', async () => {
    const r = await signInAndWatch('district', new RegExp(`^/district/${UNIT}$`));
    expect(r.errors).toEqual([]);
    expect(r.statuses.filter((s) => s !== 200)).toEqual([]);
  }, 60_000);

  /** Every cause text on the page (node table, node page, change feed). */
  const causes = (page: Page) =>
    page.evaluate(() => [...document.querySelectorAll('.reasons, .reasons li, [data-testid="change-feed"] .reason')].map((e) => e.textContent ?? '').filter(Boolean));

  it('words the causes in Chinese on the overview, the district page and the node page (1920×1080 and 390×844)', async () => {
    const { server } = dash;
    const sim = server.app.get(SimulationService);
    sim.injectFault({ kind: 'link_down', node: township.id, durationMs: 600_000 });
    sim.injectFault({ kind: 'latency_storm', unit: '520123', durationMs: 600_000 });
    for (const [w, h] of [[1920, 1080], [390, 844]] as const) {
      const page = await dash.browser.context.newPage();
      const problems = watchProblems(page);
      await page.setViewportSize({ width: w, height: h });
      await page.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
      const feed = await waitFor(page, () => causes(page), (c) => c.some((x) => /网络连通为 0|阈值/.test(x)), 60_000, 'a worded cause in the change feed');
      for (const c of feed) expect(c).not.toMatch(ENGLISH_CAUSE);
      await page.screenshot({ path: `${SHOTS}/overview-${w}x${h}.png` });

      await page.goto(`${server.url}/district/${UNIT}`, { waitUntil: 'domcontentloaded' });
      const table = await waitFor(page, () => causes(page), (c) => c.some((x) => x.includes('网络连通为 0（不可达）')), 30_000, 'the district\'s causes');
      for (const c of table) expect(c).not.toMatch(ENGLISH_CAUSE);
      // The server's English stays in the title.
      expect(await page.locator('tbody .reasons').first().getAttribute('title')).toMatch(/net\.up = 0|≥/);
      await page.screenshot({ path: `${SHOTS}/district-${w}x${h}.png` });

      await page.goto(`${server.url}/node/${township.id}`, { waitUntil: 'domcontentloaded' });
      const node = await waitFor(page, () => causes(page), (c) => c.length > 0, 30_000, 'the node page\'s causes');
      expect(node).toContain('网络连通为 0（不可达）');
      await page.screenshot({ path: `${SHOTS}/node-${w}x${h}.png` });
      expect(problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
      await page.close();
    }
  }, 180_000);
});
