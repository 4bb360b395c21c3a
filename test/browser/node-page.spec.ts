import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { buildCityFleet, CITY_CORE } from '../../server/src/simulation/city-fleet.js';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { artifactPath, browserAvailable, signedInDashboard, waitFor, watchProblems } from '../support/browser.js';

/**
 * Issue 14 "A page per node": a village of 清镇 (520181) in the simulated city whose township's link
 * is cut. From the alert list's link to the village's page: name then id, its path to the city core
 * with the township down, its alert, its registry record; an unknown id and another district's node
 * each say so.
 */
const run = browserAvailable() ? describe : describe.skip;
const UNIT = '520181';

const hopsOf = (page: Page) =>
  page.locator('[data-testid="node-path"] li[data-hop]').evaluateAll((lis) => lis.map((li) => ({ id: li.getAttribute('data-hop')!, status: li.getAttribute('data-status')! })));

run('the node page (a village of 清镇 behind a township whose link is down)', () => {
  const dash = signedInDashboard({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' }, 90_000);
  const fleet = buildCityFleet().byUnit.get(UNIT)!;
  const core = fleet[0];
  const village = fleet.filter((n) => n.level === 'village')[7];
  const township = fleet.find((n) => n.id === village.parent)!;

  it('is set up on the fleet it expects', () => {
    expect([township.level, core.level]).toEqual(['township', 'unit']);
  });

  it('from the alert list to the village: path with the down hop, its alert, its record', async () => {
    const { server, browser } = dash;
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    server.app.get(SimulationService).injectFault({ kind: 'link_down', node: township.id, durationMs: 600_000 });

    // The alert list links the village's alert to its page.
    await page.goto(`${server.url}/alerts`, { waitUntil: 'domcontentloaded' });
    // The village's alert is a member of the township's outage group (issue 15 item 2): open the group.
    const groupOf = async () => {
      const res = await server.api(`/api/v1/alerts?state=open&node=${village.id}`);
      return ((await res.json()) as Array<{ group?: string }>)[0]?.group ?? '';
    };
    const link = page.locator(`tr[data-node="${village.id}"] [data-testid="alert-node-link"]`).first();
    await waitFor(
      page,
      async () => {
        if ((await link.count()) > 0) return 1;
        const group = await groupOf();
        const toggle = page.locator(`tr[data-group="${group}"] [data-testid="group-toggle"]`);
        if ((await link.count()) === 0 && (await toggle.count()) > 0 && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
        return link.count();
      },
      (n) => n > 0,
      60_000,
      `an alert of ${village.id} in the list`,
    );
    await link.click();
    await waitFor(page, () => page.evaluate(() => location.pathname), (p) => p === `/node/${village.id}`, 10_000, 'the node page');

    // Name first, then id.
    const head = page.getByTestId('node-name');
    await waitFor(page, () => head.innerText(), (t) => t.includes(village.name), 15_000, 'the village name');
    const text = await head.innerText();
    expect(text.indexOf(village.name)).toBeLessThan(text.indexOf(village.id));

    // The path to the city core, the township down.
    const hops = await waitFor(page, () => hopsOf(page), (h) => h.length === 4 && h[1].status === 'down', 30_000, 'the path with the township down');
    expect(hops.map((h) => h.id)).toEqual([village.id, township.id, core.id, CITY_CORE]);
    expect(hops[3].status).toBe('up');
    expect(await page.locator(`[data-testid="node-path"] li[data-hop="${township.id}"]`).innerText()).toContain(township.name);

    // Its alert (node down, held back behind the township) and its record.
    const alert = page.locator('[data-testid="node-alerts"] li[data-alert]').first();
    await waitFor(page, () => alert.count(), (n) => n > 0, 30_000, 'the village\'s alert on its page');
    expect(await alert.innerText()).toContain('节点中断');
    const field = (k: string) => page.locator(`[data-testid="node-record"] dd[data-field="${k}"]`).innerText();
    expect(await field('code')).toBe(village.code);
    expect(await field('level')).toBe('村级');
    expect(await field('parent')).toBe(township.name);
    expect(await field('unit')).toBe('清镇市');
    // Live values from node:<id>, the charts' range buttons, the month's up-minutes panel.
    await waitFor(page, () => page.locator('[data-testid="node-live"] dd[data-metric="net.up"]').count(), (n) => n === 1, 30_000, 'live net.up');
    expect(await page.locator('[data-testid="node-ranges"] button').count()).toBe(5);
    await waitFor(page, () => page.getByTestId('node-sla').innerText(), (t) => /在线率|本月没有/.test(t), 20_000, 'the up-minutes panel');

    await page.waitForTimeout(1500);
    await page.screenshot({ path: artifactPath('node-village-1920x1080.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: artifactPath('node-village-390x844.png'), fullPage: true });
    // The view scrolls inside its own box: the rest of it, scrolled down a screen at a time.
    for (const [i, y] of [844, 1688].entries()) {
      await page.getByTestId('view-node').evaluate((el, top) => el.scrollTo(0, top), y - 120);
      await page.waitForTimeout(400);
      await page.screenshot({ path: artifactPath(`node-village-390x844-${i + 2}.png`) });
    }
    // On a phone the page is one column: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('the district list links a node\'s name to its page; a click on the row still adds its line', async () => {
    const { server, browser } = dash;
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/district/${UNIT}?q=${encodeURIComponent(village.name)}`, { waitUntil: 'domcontentloaded' });
    const row = page.locator(`[data-testid="node-table"] tr[data-node="${village.id}"]`);
    await waitFor(page, () => row.count(), (n) => n === 1, 40_000, 'the village in the list');
    await row.locator('td.status').click();
    await waitFor(page, () => row.getAttribute('data-picked'), (v) => v === 'true', 5_000, 'the row picked');
    await row.getByTestId('node-link').click();
    await waitFor(page, () => page.evaluate(() => location.pathname), (p) => p === `/node/${village.id}`, 10_000, 'the node page from the list');
    await page.close();
  }, 90_000);

  it('the topology\'s side panel links a selected node to its page', async () => {
    const { server, browser } = dash;
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/topology`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('topology-search').fill(village.id);
    await waitFor(page, () => page.getByTestId('topology-results').count(), (n) => n === 1, 20_000, 'the search result');
    await page.getByTestId('topology-search').press('Enter');
    const link = page.getByTestId('topology-node-link');
    await waitFor(page, () => link.count(), (n) => n === 1, 10_000, 'the node link in the side panel');
    await link.click();
    await waitFor(page, () => page.evaluate(() => location.pathname), (p) => p === `/node/${village.id}`, 10_000, 'the node page from the topology');
    await page.close();
  }, 60_000);

  it('an unknown id says so; another district\'s node says it may not be seen', async () => {
    const { server, browser } = dash;
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/node/no-such-node`, { waitUntil: 'domcontentloaded' });
    const unknown = page.getByTestId('node-unknown');
    await waitFor(page, () => unknown.count(), (n) => n === 1, 15_000, 'the unknown message');
    expect(await unknown.innerText()).toContain('没有编号为 no-such-node 的节点');
    await page.close();

    const other = await browser.context.browser()!.newContext({ viewport: { width: 1920, height: 1080 } });
    await other.addCookies([{ name: 'zhuyun_session', value: await server.login('district', { district: '520102' }), url: server.url, httpOnly: true, sameSite: 'Strict' }]);
    const p2 = await other.newPage();
    await p2.goto(`${server.url}/node/${village.id}`, { waitUntil: 'domcontentloaded' });
    const forbidden = p2.getByTestId('node-forbidden');
    await waitFor(p2, () => forbidden.count(), (n) => n === 1, 15_000, 'the forbidden message');
    expect(await forbidden.innerText()).toContain(`无权查看节点 ${village.id}`);
    await other.close();
  }, 60_000);
});
