import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { monthOf } from '@zhuyun/protocol';
import { artifactPath, browserAvailable, launchBrowser, signIn, waitFor, watchProblems } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/**
 * Figures leaders can trust, on a phone and on paper (issue 15 items 12–15 and the newcomer's wait),
 * in headless Chromium against the simulated city: at 390 × 844 /leader does not pan sideways, 退出
 * is on screen, the league table scrolls inside its own box with every column reachable and each
 * availability's coverage written beside it; /leader/print fits A4 portrait; /migration explains
 * its cloud figures in words. Screenshots under test-artifacts/ and /tmp/shots-leader/.
 */
const run = browserAvailable() ? describe : describe.skip;
const PHONE = { width: 390, height: 844 };
const SHOTS = '/tmp/shots-leader';

const rowUnits = (page: Page) => page.locator('[data-testid="league-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-unit')));
const shot = async (page: Page, name: string, fullPage = false) => {
  await page.screenshot({ path: artifactPath(name), fullPage });
  await page.screenshot({ path: join(SHOTS, name), fullPage });
};

run('leadership on a phone and on paper (issue 15)', () => {
  let server: TestServer;
  let leader: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' });
    leader = await launchBrowser(PHONE);
    await signIn(leader.context, { url: server.url, token: await server.login('leader') });
  }, 90_000);

  afterAll(async () => {
    await leader?.close();
    await server?.close();
  });

  it('/leader at 390 × 844: says what it waits for, no sideways pan, 退出 on screen, every column reachable, coverage beside availability', async () => {
    const page = await leader.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/leader?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => rowUnits(page), (u) => u.length === 10, 15_000, 'ten district rows');

    // Newcomer: the first minutes have no scored minute (the 2-minute grace); the page says so.
    const waiting = page.getByTestId('leader-waiting');
    expect(await waiting.innerText()).toContain('约 2 分钟');
    expect(await page.getByTestId('availability-waiting').count()).toBeGreaterThan(0);

    // Coverage stands beside every availability, in the cell (not only in a hover title).
    const cover = await page.locator('[data-testid="league-row"] [data-testid="coverage"]').allInnerTexts();
    expect(cover).toHaveLength(10);
    for (const c of cover) expect(c).toMatch(/^覆盖 [\d.]+%/);
    expect(await page.getByTestId('coverage-note').innerText()).toContain('覆盖不足');
    // The platforms' use is a city figure, never a 观山湖 one.
    expect(await page.getByTestId('platform-city').innerText()).toMatch(/全市/);
    expect(await page.getByText('平台调用').count()).toBe(0);

    await waitFor(page, () => page.getByTestId('migration-map').getAttribute('data-state'), (s) => s === 'ready', 15_000, 'the migration map');
    await page.waitForTimeout(800);
    await shot(page, 'leader-390x844.png');

    // No sideways pan: neither the document nor the view's scroll box is wider than the screen.
    const widths = await page.evaluate(() => {
      const view = document.querySelector('.leader') as HTMLElement;
      const top = document.querySelector('header.top') as HTMLElement;
      return { doc: document.documentElement.scrollWidth, view: view.scrollWidth, viewClient: view.clientWidth, top: top.scrollWidth, topClient: top.clientWidth };
    });
    expect(widths.doc).toBeLessThanOrEqual(PHONE.width);
    expect(widths.view).toBeLessThanOrEqual(widths.viewClient);
    expect(widths.top).toBeLessThanOrEqual(widths.topClient);

    // 退出 is visible and inside the screen.
    const logout = page.getByTestId('logout');
    expect(await logout.isVisible()).toBe(true);
    const lb = (await logout.boundingBox())!;
    expect(lb.x).toBeGreaterThanOrEqual(0);
    expect(lb.x + lb.width).toBeLessThanOrEqual(PHONE.width);

    // The table scrolls inside its own box; every column's values can be brought on screen, with
    // the unit still readable at the left.
    const box = page.locator('.table-scroll');
    const dims = await box.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
    expect(dims.sw).toBeGreaterThan(dims.cw);
    const nCols = await page.locator('[data-testid="league-row"]').first().locator('td, th').count();
    expect(nCols).toBe(9); // rank, unit and seven figures
    for (let i = 0; i < nCols; i++) {
      const cell = page.locator('[data-testid="league-row"]').first().locator('td, th').nth(i);
      await cell.scrollIntoViewIfNeeded();
      const b = (await cell.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(PHONE.width + 0.5);
      const unit = (await page.locator('[data-testid="league-row"]').first().locator('th.unit').boundingBox())!;
      expect(unit.x).toBeGreaterThanOrEqual(0);
      if (i > 1) expect(b.x).toBeGreaterThanOrEqual(unit.x + unit.width - 1); // not hidden under the sticky unit
    }
    const rate = page.locator('[data-testid="league-row"]').first().getByTestId('migration-rate');
    await rate.scrollIntoViewIfNeeded();
    expect(await rate.isVisible()).toBe(true);
    await page.waitForTimeout(300);
    await shot(page, 'leader-390x844-table-scrolled.png');

    // The rest of the page, panel by panel.
    await box.evaluate((el) => el.scrollTo(0, 0));
    for (const [i, sel] of ['.map-panel', '.risk-panel', '.chart-panel:nth-of-type(4)', '.chart-panel:nth-of-type(5)'].entries()) {
      await page.locator(sel).scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      await shot(page, `leader-390x844-${i + 1}.png`);
    }

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('.leader').evaluate((el) => el.scrollTo(0, 0));
    await page.waitForTimeout(800);
    await shot(page, 'leader-1920x1080.png');
    expect(problems).toEqual([]);
  }, 90_000);

  it('/leader/print fits the phone on screen and A4 portrait on paper, coverage and city platform use on it', async () => {
    const page = await leader.context.newPage();
    await page.setViewportSize(PHONE);
    const problems = watchProblems(page);
    await page.goto(`${server.url}/leader/print?zones=include&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => rowUnits(page), (u) => u.length === 14, 15_000, 'fourteen rows');
    expect(await page.locator('[data-testid="league-row"] [data-testid="coverage"]').count()).toBe(14);
    expect(await page.getByTestId('method-notes').innerText()).toContain('覆盖率 =');
    expect(await page.getByTestId('print-platform-city').innerText()).toMatch(/全市/);
    await page.waitForTimeout(300);
    await shot(page, 'leader-print-390x844.png');
    // On the phone the sheet is not cut at the right: nothing is wider than the screen but the
    // tables' own scroll boxes.
    const phone = await page.evaluate(() => {
      const root = document.querySelector('.print-root') as HTMLElement;
      const sheet = document.querySelector('.sheet') as HTMLElement;
      return { doc: document.documentElement.scrollWidth, root: root.scrollWidth, rootClient: root.clientWidth, sheetRight: sheet.getBoundingClientRect().right };
    });
    expect(phone.doc).toBeLessThanOrEqual(PHONE.width);
    expect(phone.root).toBeLessThanOrEqual(phone.rootClient);
    expect(phone.sheetRight).toBeLessThanOrEqual(PHONE.width);

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    await shot(page, 'leader-print-1920x1080.png', true);

    // On paper: A4 portrait leaves 186 mm (703 CSS px) between the margins; at that width, as
    // printed, no table is wider than the sheet.
    await page.setViewportSize({ width: 703, height: 1000 });
    await page.emulateMedia({ media: 'print' });
    const paper = await page.evaluate(() => {
      const sheet = document.querySelector('.sheet') as HTMLElement;
      const tables = [...sheet.querySelectorAll('table')].map((t) => t.getBoundingClientRect().right);
      return { sheet: sheet.scrollWidth, sheetClient: sheet.clientWidth, right: sheet.getBoundingClientRect().right, tables };
    });
    expect(paper.sheet).toBeLessThanOrEqual(paper.sheetClient);
    for (const right of paper.tables) expect(right).toBeLessThanOrEqual(paper.right + 0.5);
    await shot(page, 'leader-print-media-print-703.png', true);
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true, path: join(SHOTS, 'leader-print.pdf') });
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[0 0 59[45]\.\d+ 84[12]\.\d+\]/);
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    expect(pages.length).toBeLessThanOrEqual(3);
    expect(problems).toEqual([]);
  }, 60_000);

  it('/migration explains 应在云上 and 云平台上报 in words (item 14), at 390 × 844 and 1920 × 1080', async () => {
    const page = await leader.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${server.url}/migration?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('unit-rates').waitFor({ timeout: 15_000 });
    const explain = await page.getByTestId('cloud-explain').innerText();
    expect(explain).toContain('应在云上');
    expect(explain).toContain('云平台上报');
    expect(explain).toMatch(/试运行|已迁移/);
    const doc = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(doc).toBeLessThanOrEqual(PHONE.width);
    // One column on a phone: the explanation runs the screen's width, not a squeezed half of it.
    const ex = (await page.getByTestId('cloud-explain').boundingBox())!;
    expect(ex.width).toBeGreaterThan(PHONE.width * 0.7);
    expect(ex.x + ex.width).toBeLessThanOrEqual(PHONE.width);
    await page.waitForTimeout(500);
    await shot(page, 'migration-390x844.png');
    await page.getByTestId('cloud-explain').scrollIntoViewIfNeeded();
    await shot(page, 'migration-390x844-explain.png');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(800);
    await shot(page, 'migration-1920x1080.png');
  }, 60_000);
});

run('leadership: availability from a few minutes is shown with its coverage, never ranked (issue 15 item 12)', () => {
  let server: TestServer;
  let leader: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A short scoring grace, so that the first minutes are scored within the test.
    server = await startTestServer({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city', ZHUYUN_SLA_GRACE: '5s' });
    leader = await launchBrowser();
    await signIn(leader.context, { url: server.url, token: await server.login('leader') });
  }, 90_000);

  afterAll(async () => {
    await leader?.close();
    await server?.close();
  });

  it('sorted by availability, the units with a few measured minutes get no rank and say 覆盖不足', async () => {
    const page = await leader.context.newPage();
    const problems = watchProblems(page);
    const month = monthOf(Date.now());
    type Api = { rows: Array<{ unit: string; availability: { availabilityPct: number | null } | null; coverage: { measuredMinutes: number; pct: number } | null; lowCoverage: boolean }> };
    // Wait until the API has scored minutes (100 % or so from a handful of minutes of the month).
    await waitFor(
      page,
      async () => ((await (await server.api(`/api/v1/comparison?month=${month}&zones=exclude`)).json()) as Api).rows,
      (rows) => rows.some((r) => (r.coverage?.measuredMinutes ?? 0) > 0 && r.availability?.availabilityPct !== null),
      150_000,
      'a scored minute',
      2_000,
    );
    await page.goto(`${server.url}/leader?lang=zh-CN&zones=exclude`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => rowUnits(page), (u) => u.length === 10, 15_000, 'ten district rows');
    await page.getByTestId('sort-availabilityPct').click();
    const api = ((await (await server.api(`/api/v1/comparison?month=${month}&zones=exclude`)).json()) as Api).rows;
    // A month that began more than a few hours ago: every unit's coverage is far below 90 %.
    const thin = api.filter((r) => r.lowCoverage && r.availability?.availabilityPct !== null);
    expect(thin.length).toBeGreaterThan(0);
    const ranks = await page.getByTestId('league-rank').allInnerTexts();
    const units = await rowUnits(page);
    for (const r of thin) expect(ranks[units.indexOf(r.unit)]).toBe('—');
    const lowRow = page.locator(`[data-testid="league-row"][data-unit="${thin[0].unit}"]`);
    expect(await lowRow.getByTestId('coverage').innerText()).toMatch(/覆盖 <?[\d.]+%\s*覆盖不足/);
    await page.waitForTimeout(800);
    await shot(page, 'leader-1920x1080-scored.png');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(800);
    await shot(page, 'leader-390x844-scored.png');
    expect(problems).toEqual([]);
  }, 200_000);
});

run('leadership with the simulated history: covered months ranked, months before it gaps (items 12, 13)', () => {
  let server: TestServer;
  let leader: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The small fleet: the city's history takes more than 7 minutes to fill on a shared 2-core machine.
    server = await startTestServer({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'small', ZHUYUN_SIMULATE_HISTORY: '1' });
    leader = await launchBrowser();
    await signIn(leader.context, { url: server.url, token: await server.login('leader') });
  }, 90_000);

  afterAll(async () => {
    await leader?.close();
    await server?.close();
  });

  it('ranks the covered units, leaves the months before the history blank in the trend', async () => {
    const page = await leader.context.newPage();
    const problems = watchProblems(page);
    const month = monthOf(Date.now());
    type Api = { rows: Array<{ unit: string; lowCoverage: boolean; coverage: { pct: number | null } | null }> };
    // The history fills the last full month and this month in the background.
    await waitFor(
      page,
      async () => ((await (await server.api(`/api/v1/comparison?month=${month}&zones=exclude`)).json()) as Api).rows,
      (rows) => rows.every((r) => !r.lowCoverage),
      200_000,
      'this month covered by the simulated history',
      5_000,
    );
    await page.goto(`${server.url}/leader?lang=zh-CN&zones=exclude`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => rowUnits(page), (u) => u.length === 10, 15_000, 'ten district rows');
    await page.getByTestId('sort-availabilityPct').click();
    const ranks = await page.getByTestId('league-rank').allInnerTexts();
    expect(ranks).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    await waitFor(page, () => page.locator('[data-testid="trend-chart"] canvas').count(), (n) => n > 0, 15_000, 'the trend chart');
    // The trend: the months before the history have no P1 point (a gap), the last two have one.
    const trend = await Promise.all(
      [-5, -4, -3, -2, -1, 0].map(async (k) => {
        const d = new Date(Date.parse(`${month}-15T00:00:00Z`));
        d.setUTCMonth(d.getUTCMonth() + k);
        const m = d.toISOString().slice(0, 7);
        const body = (await (await server.api(`/api/v1/comparison?month=${m}`)).json()) as { rows: Array<{ p1Incidents: number | null }> };
        return body.rows.some((r) => r.p1Incidents !== null);
      }),
    );
    expect(trend).toEqual([false, false, false, false, true, true]);
    await waitFor(page, () => page.getByTestId('migration-map').getAttribute('data-state'), (s) => s === 'ready', 15_000, 'the migration map');
    await page.waitForTimeout(1_000);
    await shot(page, 'leader-1920x1080-history.png');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(800);
    await shot(page, 'leader-390x844-history.png');
    await page.locator('.chart-panel:nth-of-type(5)').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await shot(page, 'leader-390x844-history-trend.png');
    await page.goto(`${server.url}/leader/print?zones=include&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => rowUnits(page), (u) => u.length === 14, 15_000, 'fourteen rows');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(500);
    await shot(page, 'leader-print-1920x1080-history.png', true);
    expect(problems).toEqual([]);
  }, 300_000);
});
