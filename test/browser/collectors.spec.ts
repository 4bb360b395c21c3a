import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { artifactPath, browserAvailable, launchBrowser, signIn, waitFor, watchProblems } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 13 item 12: a collector whose clock is five minutes slow has its nodes "unknown"; the
 * dashboard says why — its clock skew in the district's collectors and in the collectors badge.
 */
const run = browserAvailable() ? describe : describe.skip;

run('collectors in headless Chromium: a slow clock, units', () => {
  let server: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer();
    const slow = await server.addCollector('baiyun-slow-01', '520113');
    const right = await server.addCollector('baiyun-edge-01', '520113');
    for (const [id, token, skew] of [['baiyun-slow-01', slow, -5 * 60_000], ['baiyun-edge-01', right, 0]] as const) {
      const at = Date.now() + skew;
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-zhuyun-sent-at': String(at) },
        body: JSON.stringify({ collector: id, batch: `${id}:1`, points: [{ metric: 'net.up', ts: at - 1_000, value: 1, tags: { district: '520113', node: `${id}-node` } }] }),
      });
      expect(res.status).toBe(202);
    }
    browser = await launchBrowser();
    await signIn(browser.context, server);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the skew beside the collector, in Chinese and English, and flags it in the badge', async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/district/520113`, { waitUntil: 'domcontentloaded' });
    const slow = page.locator('[data-testid="district-collectors"] li[data-collector="baiyun-slow-01"]');
    await waitFor(page, () => slow.count(), (n) => n === 1, 15_000, 'the slow collector listed');
    const skew = slow.getByTestId('collector-skew');
    expect(await skew.innerText()).toMatch(/^时钟慢 [45] 分钟$/);
    expect(await skew.getAttribute('class')).toContain('late');
    expect(await skew.getAttribute('title')).toContain('不计入实时状态');
    // Its node says why it is unknown, not "no data".
    expect(await page.locator('tr[data-node="baiyun-slow-01-node"]').innerText()).toMatch(/数据迟到约 5 分钟（采集器时钟落后/);
    // The right clock says nothing.
    expect(await page.locator('li[data-collector="baiyun-edge-01"] [data-testid="collector-skew"]').count()).toBe(0);

    const badge = page.getByTestId('collectors-badge');
    expect(await badge.getAttribute('data-late-clocks')).toBe('1');
    expect(await page.getByTestId('collectors-late-clocks').innerText()).toBe('1 时钟偏差');
    await badge.locator('summary').click();
    expect(await badge.locator('tr[data-collector="baiyun-slow-01"] td.skew').innerText()).toMatch(/^时钟慢 [45] 分钟$/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('collector-clock-skew-zh.png') });

    await page.getByTestId('lang-en').click();
    await waitFor(page, () => skew.innerText(), (t) => /^clock [45] min behind$/.test(t), 3_000, 'English');
    await page.screenshot({ path: artifactPath('collector-clock-skew-en.png') });
    await page.getByTestId('lang-zh-CN').click();
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('an admin registers a collector for more units in the admin view; the table shows them (item 2)', async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/admin?tab=collectors`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('collector-id').fill('city-01');
    await page.getByTestId('collector-district').selectOption('520115');
    await page.getByTestId('collector-units').fill('520102, 520103');
    await page.getByTestId('collector-create').click();
    await page.getByTestId('collector-token').waitFor({ timeout: 10_000 });
    const row = page.locator('[data-testid="collector-table"] tr[data-collector="city-01"] [data-testid="collector-units-cell"]');
    await waitFor(page, () => row.innerText(), (t) => t.includes('南明') && t.includes('云岩'), 10_000, 'its units in the table');
    await page.screenshot({ path: artifactPath('admin-collectors-units.png') });
    const list = (await (await server.api('/api/v1/collectors')).json()) as { collectors: Array<{ id: string; units: unknown }> };
    expect(list.collectors.find((c) => c.id === 'city-01')?.units).toEqual(['520102', '520103']);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
