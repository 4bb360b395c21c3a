import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addMonths, monthOf, type HistoryFillStatus } from '@zhuyun/protocol';
import { artifactPath, browserAvailable, launchBrowser, signIn, waitFor } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The demo's history fill in headless Chromium (issue 14): the banner with its progress while the
 * first start fills last month and this month, gone when it is done; then the SLA view of last
 * month shows availability figures (not 无测量). The small fleet.
 */
const run = browserAvailable() ? describe : describe.skip;

run('the simulated history in the dashboard', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    server = await startTestServer({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_HISTORY: '1' });
    browser = await launchBrowser();
    await signIn(browser.context, server);
    // A server filling its history and a browser starting: slow on a loaded 2-core CI machine.
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the progress while it fills, then last month\'s figures', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/sla`);
    const status = async () => (await (await server.api('/api/v1/simulation/history')).json()) as HistoryFillStatus;
    // Sample the banner and the server's state together until the fill is over.
    let runningSamples = 0;
    let bannerWhileRunning = 0;
    let shot = false;
    await waitFor(
      page,
      async () => {
        const st = await status();
        const banner = await page.getByTestId('history-banner').count();
        if (st.state === 'running') {
          runningSamples++;
          if (banner) {
            bannerWhileRunning++;
            if (!shot) {
              shot = true;
              await page.screenshot({ path: artifactPath('history-banner-1920x1080.png') });
              expect(await page.getByTestId('history-banner').innerText()).toMatch(/正在生成演示历史数据.*\d+%/);
            }
          }
        }
        return st;
      },
      (st) => st.state === 'done',
      300_000,
      'the history fill to end',
      300,
    );
    // Seen running from the page (the small fleet's fill takes seconds): the banner was there.
    if (runningSamples > 3) expect(bannerWhileRunning).toBeGreaterThan(0);
    await expect(page.getByTestId('history-banner').waitFor({ state: 'detached', timeout: 10_000 })).resolves.toBeUndefined();

    const lastMonth = addMonths(monthOf(Date.now()), -1);
    await page.goto(`${server.url}/sla?month=${lastMonth}`);
    const rows = page.getByTestId('sla-services').locator('tbody tr');
    await waitFor(page, () => rows.first().innerText(), (text) => /\d+\.\d+%/.test(text), 30_000, 'last month\'s availability in the first row');
    expect(await page.getByTestId('sla-month').inputValue()).toBe(lastMonth);
    await page.screenshot({ path: artifactPath('history-sla-last-month-1920x1080.png') });
  }, 360_000);
});
