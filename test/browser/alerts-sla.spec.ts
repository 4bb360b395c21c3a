import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { artifactPath, browserAvailable, launchBrowser, waitFor } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/**
 * Ops and operators in headless Chromium (issue 6): ops sees an injected fault's district turn red
 * within 3 s and acknowledges the alert in the alerts view; a leader sees it read-only; an operator
 * sees its contract's month, requests a maintenance window, and downloads last month's CSV, which
 * matches the API's report byte for byte (but the minute it was generated).
 */
const run = browserAvailable() ? describe : describe.skip;
const DAY = 86_400_000;
const BEIJING = 8 * 3_600_000;

function beijingMonth(ms: number): string {
  const d = new Date(ms + BEIJING);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1) - BEIJING;
}
function previousMonth(month: string): string {
  return beijingMonth(monthStart(month) - DAY);
}

type Hooks = { mapRegions(): string[]; mapStatus(): Record<string, string> };
/** The page's test hooks (run inside the page: no closures over test code). */
const regionCount = () => ((window as unknown as { __zhuyun?: Hooks }).__zhuyun?.mapRegions() ?? []).length;
const kaiyangStatus = () => (window as unknown as { __zhuyun?: Hooks }).__zhuyun?.mapStatus()['520121'] ?? null;

run('alerts and SLA views in headless Chromium', () => {
  let server: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> };

  async function signInAs(token: string) {
    await browser.context.clearCookies();
    await browser.context.addCookies([{ name: 'zhuyun_session', value: token, url: server.url, httpOnly: true, sameSite: 'Strict' }]);
  }
  function watchProblems(page: Page): string[] {
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
    return problems;
  }

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer({ ZHUYUN_SIMULATE: '1' });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('ops: a fault turns its district red within 3 s and its alert is acknowledged in the UI', async () => {
    // The default node-down rule waits a minute; fire at once (as test/e2e/alerts.spec.ts does).
    const put = await server.api('/api/v1/alert-rules/default-net-up-down', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ forMs: 0 }) });
    expect(put.status).toBe(200);
    const opsToken = await server.login('ops');
    await signInAs(opsToken);

    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => page.evaluate(regionCount), (n) => n === 10, 15_000, 'the map');
    await waitFor(page, () => page.evaluate(kaiyangStatus), (s) => s === 'up', 15_000, 'Kaiyang up');
    await page.getByTestId('alert-panel').waitFor();

    const t0 = Date.now();
    server.app.get(SimulationService).injectFault({ kind: 'link_down', unit: '520121', durationMs: 20_000 });
    await waitFor(page, () => page.evaluate(kaiyangStatus), (s) => s === 'down', 3_000, 'Kaiyang red', 50);
    const redAfter = Date.now() - t0;
    expect(redAfter).toBeLessThan(3_000);

    // The compact panel on the overview shows the alert (P1, 开阳县).
    const panel = page.getByTestId('alert-panel');
    await waitFor(page, () => panel.innerText(), (t) => t.includes('开阳县') && t.includes('P1'), 10_000, 'the alert on the overview');
    await page.screenshot({ path: artifactPath('overview-alerts-1920x1080.png') });

    // The alerts view: the core node's alert firing, the access nodes' held back behind it.
    await page.getByTestId('nav-alerts').click();
    const table = page.getByTestId('alerts-table');
    await table.waitFor();
    // Kaiyang's outage is one group row (issue 15); opened, it lists its members.
    const group = page.getByTestId('alert-group').filter({ hasText: '开阳县' });
    await group.first().waitFor({ timeout: 10_000 });
    await group.first().getByTestId('group-toggle').click();
    const row = page.locator('tr[data-node="520121-core-1"][data-district="520121"]', { has: page.getByTestId('ack') }).filter({ hasText: '节点中断' });
    await row.first().waitFor({ timeout: 10_000 });
    const text = await table.innerText();
    expect(text).toContain('开阳县');
    expect(text).toContain('告警中');
    expect(text).toContain('P1');
    expect(text).toContain('中断'); // net.up == 0 in words, not "0 = 0"
    await waitFor(page, () => table.innerText(), (t) => t.includes('上级 520121-core-1 中断'), 10_000, 'an access node suppressed behind its core');
    const alertId = await row.first().getAttribute('data-alert');
    expect(alertId).toBeTruthy();

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: artifactPath('alerts-1920x1080.png') });

    await row.first().getByTestId('ack').click();
    await page.getByTestId('alert-comment').fill('已派人现场排查');
    await page.getByTestId('alert-submit').click();
    const acked = page.locator(`tr[data-alert="${alertId}"]`).getByTestId('acked');
    await acked.waitFor({ timeout: 5_000 });
    const stored = (await (await server.api(`/api/v1/alerts/${alertId}`)).json()) as { ack: { by: string; comment: string } | null };
    expect(stored.ack).toMatchObject({ by: expect.stringMatching(/^test-ops-/), comment: '已派人现场排查' });
    // The acknowledgement is on the timeline.
    await waitFor(page, () => page.getByTestId('alert-timeline').innerText(), (t) => t.includes('已派人现场排查'), 5_000, 'the ack on the timeline');

    // Silence another of Kaiyang's alerts for an hour.
    const other = page.locator('tr[data-node="520121-acc-1"]').filter({ hasText: '节点中断' });
    await other.first().getByTestId('silence').click();
    await page.getByTestId('alert-comment').fill('计划内换线');
    await page.getByTestId('alert-submit').click();
    await waitFor(page, () => page.getByTestId('silences').innerText(), (t) => t.includes('计划内换线') && t.includes('520121-acc-1'), 5_000, 'the new silence');

    await page.screenshot({ path: artifactPath('alerts-acked-1920x1080.png') });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('alerts-1366x768.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.goto(`${server.url}/alerts?lang=en`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('alerts-table').waitFor();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('alerts-en-1920x1080.png') });
    await page.goto(`${server.url}/?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('alert-panel').waitFor();
    await page.setViewportSize({ width: 1366, height: 768 });
    await waitFor(page, () => page.getByTestId('alert-panel').innerText(), (t) => t.includes('开阳县'), 10_000, 'panel at 1366');
    await page.waitForTimeout(800);
    await page.screenshot({ path: artifactPath('overview-alerts-1366x768.png') });
    expect(problems).toEqual([]);
    await page.close();

    // A leader reads the same alerts without the buttons.
    await signInAs(await server.login('leader'));
    const leaderPage = await browser.context.newPage();
    await leaderPage.setViewportSize({ width: 1920, height: 1080 });
    await leaderPage.goto(`${server.url}/alerts`, { waitUntil: 'domcontentloaded' });
    await leaderPage.getByTestId('alerts-read-only').waitFor();
    await leaderPage.getByTestId('alerts-table').waitFor();
    expect(await leaderPage.getByTestId('ack').count()).toBe(0);
    expect(await leaderPage.getByTestId('silence').count()).toBe(0);
    await leaderPage.close();
  }, 90_000);

  it('operator: sees its contract, requests a window, downloads last month’s CSV matching the API', async () => {
    const now = Date.now();
    const thisMonth = beijingMonth(now);
    const lastMonth = previousMonth(thisMonth);
    const last = monthStart(lastMonth);

    // Evidence for last month: the demo contract in force since before it, one day of Kaiyang
    // reclassified UP with a 50-minute outage in it (the engine scores only what it has seen).
    const contracts = (await (await server.api('/api/v1/sla/contracts')).json()) as { contracts: Array<{ id: string; operator: string }> };
    const demo = contracts.contracts.find((c) => c.operator === '中国电信贵阳分公司')!;
    expect(demo).toBeTruthy();
    const json = { 'content-type': 'application/json' };
    expect((await server.api(`/api/v1/sla/contracts/${demo.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ effectiveFrom: last - 31 * DAY }) })).status).toBe(200);
    const day = last + 2 * DAY;
    for (const r of [
      { service: 'extranet:520121', from: day, to: day + DAY, state: 'UP', reason: 'evidence from the operator logs' },
      { service: 'extranet:520121', from: day + 10 * 3_600_000, to: day + 10 * 3_600_000 + 50 * 60_000, state: 'DOWN', reason: 'core link cut by road works' },
    ]) {
      const res = await server.api('/api/v1/sla/reclassifications', { method: 'POST', headers: json, body: JSON.stringify(r) });
      expect(res.status).toBeLessThan(300);
    }

    const operatorToken = await server.login('operator', { operator: '中国电信贵阳分公司' });
    await signInAs(operatorToken);
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${server.url}/sla`, { waitUntil: 'domcontentloaded' });
    const month = page.getByTestId('sla-month');
    await month.waitFor();
    expect(await month.inputValue()).toBe(thisMonth); // the current Beijing month by default
    await page.getByTestId('sla-services').waitFor();

    // Request a maintenance window through the form.
    await page.getByTestId('window-request').click();
    await page.getByTestId('window-title').fill('开阳县核心交换机升级');
    await page.getByTestId('window-submit').click();
    await waitFor(page, () => page.getByTestId('windows').innerText(), (t) => t.includes('开阳县核心交换机升级') && t.includes('待审批'), 5_000, 'the requested window');
    expect(await page.getByTestId('window-approve').count()).toBe(0); // operators do not decide
    const windows = (await (await server.api('/api/v1/maintenance-windows')).json()) as { windows: Array<{ title: string; requestedBy: string; state: string }> };
    expect(windows.windows.find((w) => w.title === '开阳县核心交换机升级')).toMatchObject({ state: 'requested', requestedBy: expect.stringMatching(/^test-operator-/) });

    // Last month, through the picker.
    await page.getByRole('button', { name: '月份 −1' }).click();
    expect(await month.inputValue()).toBe(lastMonth);
    const services = page.getByTestId('sla-services');
    const kaiyang = services.locator('tr[data-service="extranet:520121"]');
    await waitFor(page, () => kaiyang.innerText().catch(() => ''), (t) => t.includes('96.527%'), 10_000, 'Kaiyang last month');
    expect(await kaiyang.innerText()).toContain('未达标');
    expect(await services.locator('tbody tr').count()).toBe(14);
    expect(await services.innerText()).toContain('证据不足'); // a month of NO_DATA elsewhere
    await kaiyang.click();
    await page.getByTestId('burn-down').waitFor();
    await waitFor(page, () => page.getByTestId('sla-calendar').innerText(), (t) => t.includes('96.527%'), 5_000, 'the calendar day');
    expect(await page.getByTestId('sla-incidents').innerText()).toContain('50 分钟');
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('sla-1920x1080.png'), fullPage: true });

    // The CSV: the browser's download against the API's answer for the same URL.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sla-csv').click()]);
    const file = artifactPath(`sla-${lastMonth}.csv`);
    await download.saveAs(file);
    const href = (await page.getByTestId('sla-csv').getAttribute('href'))!;
    expect(href).toBe(`/api/v1/sla/contracts/${demo.id}/report?month=${lastMonth}&format=csv`);
    const api = await fetch(`${server.url}${href}`, { headers: { authorization: `Bearer ${operatorToken}` } });
    expect(api.status).toBe(200);
    const fromApi = Buffer.from(await api.arrayBuffer());
    const downloaded = readFileSync(file);
    expect(downloaded.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 BOM
    // The generated-at cell is quoted (its header has a comma): filter by what it holds.
    const lines = (b: Buffer) => b.toString('utf8').split('\r\n').filter((l) => !l.includes('生成时间'));
    expect(lines(downloaded)).toEqual(lines(fromApi));
    expect(Math.abs(downloaded.length - fromApi.length)).toBe(0);
    // And its figures are the view's: Kaiyang's row carries 96.527… and the 50 DOWN minutes.
    const kaiyangLine = lines(downloaded).find((l) => l.includes('extranet:520121') || l.includes('开阳县'))!;
    expect(kaiyangLine).toMatch(/96\.52/);
    expect(kaiyangLine).toMatch(/,50,/);

    // The printable page opens.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('sla-print').click()]);
    await popup.waitForLoadState();
    expect(await popup.title()).toBeTruthy();
    expect(await popup.locator('body').innerText()).toContain('中国电信贵阳分公司');
    await popup.close();

    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('sla-1366x768.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.goto(`${server.url}/sla?month=${lastMonth}&lang=en`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('sla-services').waitFor();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: artifactPath('sla-en-1920x1080.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('ops: approves the window the operator requested', async () => {
    await signInAs(await server.login('ops'));
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/sla?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    const item = page.getByTestId('windows').locator('li', { hasText: '开阳县核心交换机升级' });
    await item.waitFor({ timeout: 10_000 });
    await item.getByTestId('window-approve').click();
    await waitFor(page, () => item.innerText(), (t) => t.includes('已批准'), 5_000, 'the window approved');
    const windows = (await (await server.api('/api/v1/maintenance-windows')).json()) as { windows: Array<{ title: string; state: string; decidedBy: string }> };
    expect(windows.windows.find((w) => w.title === '开阳县核心交换机升级')).toMatchObject({ state: 'approved', decidedBy: expect.stringMatching(/^test-ops-/) });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
