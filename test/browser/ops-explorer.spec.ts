import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { browserAvailable, launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The API explorer (/api/docs) in headless Chromium under the server's CSP: it loads its own
 * script, lists every operation of /api/openapi.json without a session, filters, and tries a GET.
 */
const run = browserAvailable() ? describe : describe.skip;

run('API explorer', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser({ width: 1280, height: 900 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists every operation, filters, and tries GET /healthz, with no CSP violation', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // A CSP violation is a console error; failed loads are judged by their URL (the tab asks for /favicon.ico).
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(`${server.url}/api/docs`);
    await page.waitForFunction((n) => document.querySelectorAll('details.op').length === n, operations, { timeout: 15_000 });

    await page.fill('#filter', 'healthz');
    const shown = await page.$$eval('details.op', (ds) => ds.filter((d) => (d as HTMLElement).style.display !== 'none').map((d) => d.querySelector('code')!.textContent));
    expect(shown).toEqual(['/healthz']);

    await page.click('details.op[data-key^="get /healthz"] > summary');
    await page.click('text=Try GET /healthz');
    await page.waitForFunction(() => /^200 /.test(document.querySelector('details.op[open] pre:last-of-type')?.textContent ?? ''), null, { timeout: 10_000 });
    expect(await page.textContent('details.op[open] pre:last-of-type')).toContain('"status": "ok"');
    expect(problems).toEqual([]);
  }, 60_000);
});
