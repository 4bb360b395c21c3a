import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { artifactPath, browserAvailable, launchBrowser, signIn, waitFor, watchProblems } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/**
 * Issue 14: the node registry tab of /admin — a row-by-row import with its errors by row and column,
 * the list name first and id second, an unregistered node refused and another accepted.
 */
const run = browserAvailable() ? describe : describe.skip;

const CSV = ['节点编号,节点名称,层级,所属区县,行政区划代码', 'nm-t1,新华路街道,乡镇级,南明区,520102001', 'nm-t2,坏代码,township,520102,5201'].join('\r\n');

run('the node registry in headless Chromium', () => {
  let server: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer();
    const token = await server.addCollector('nanming-edge-01', '520102');
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        collector: 'nanming-edge-01',
        batch: 'b1',
        points: ['rogue-1', 'newbie-1'].map((node) => ({ metric: 'net.up', ts: Date.now() - 1_000, value: 1, tags: { district: '520102', node } })),
      }),
    });
    expect(res.status).toBe(202);
    browser = await launchBrowser();
    await signIn(browser.context, server);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('imports row by row, shows the bad row and column, lists name first, refuses and accepts unregistered nodes', async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/admin?tab=nodes`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('nodes-mode-rows').check();
    await page.getByTestId('nodes-import-file').setInputFiles({ name: 'nodes.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    await page.getByTestId('nodes-import-submit').click();
    const summary = page.getByTestId('nodes-import-summary');
    await summary.waitFor({ timeout: 10_000 });
    expect(await summary.getAttribute('data-stored')).toBe('true');
    const bad = page.locator('[data-testid="nodes-import-errors"] tr[data-row="3"] td');
    expect(await bad.allInnerTexts()).toEqual(['3', '行政区划代码', "a township's division code has 9 digits, not 4"]);

    const row = (id: string) => page.locator(`[data-testid="nodes-table"] tr[data-node="${id}"]`);
    await waitFor(page, () => row('nm-t1').count(), (n) => n === 1, 10_000, 'the imported node listed');
    const cells = await row('nm-t1').locator('td').allInnerTexts();
    expect(cells.slice(0, 3)).toEqual(['新华路街道', 'nm-t1', '乡镇级']);
    expect(await row('rogue-1').getAttribute('data-state')).toBe('unregistered');

    page.once('dialog', (d) => void d.accept('非本单位设备'));
    await page.getByTestId('refuse-rogue-1').click();
    await waitFor(page, () => row('rogue-1').getAttribute('data-state'), (s) => s === 'refused', 10_000, 'rogue-1 refused');
    await page.getByTestId('accept-newbie-1').click();
    await waitFor(page, () => row('newbie-1').getAttribute('data-state'), (s) => s === 'active', 10_000, 'newbie-1 accepted');
    const refused = (await (await server.api('/api/v1/nodes/rogue-1')).json()) as { state: string; stateReason: string };
    expect(refused).toMatchObject({ state: 'refused', stateReason: '非本单位设备' });

    await page.getByTestId('nodes-search').fill('新华');
    await waitFor(page, () => page.getByTestId('nodes-total').innerText(), (t) => t === '共 1 个', 10_000, 'the search narrowed to one');
    await page.screenshot({ path: artifactPath('admin-nodes-1920x1080.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
