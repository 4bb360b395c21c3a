import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath, browserAvailable, launchBrowser, waitFor } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/**
 * Managing the SLA in headless Chromium (issue 6): an operator acknowledges an incident of its
 * contract and sees the time to acknowledge; requests a weekly maintenance window (every Tuesday
 * 02:00–04:00), edits it while it waits, withdraws another; an admin approves it in the admin tab
 * "maintenance windows" and creates one for a district; the operator sees it approved; an admin sets
 * a contract's service hours and effective date and the SLA view shows them.
 */
const run = browserAvailable() ? describe : describe.skip;
const DAY = 86_400_000;
const BEIJING = 8 * 3_600_000;
const json = { 'content-type': 'application/json' };

function beijingMonth(ms: number): string {
  const d = new Date(ms + BEIJING);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1) - BEIJING;
}

interface Window {
  id: string;
  title: string;
  state: string;
  requestedBy: string;
  decidedBy: string | null;
  districts: string[];
  schedule: { kind: string; weekdays?: number[]; startTime?: string; durationMinutes?: number };
}

run('SLA management in headless Chromium', () => {
  let server: TestServer;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let contractId: string;
  let operatorToken: string;
  const lastMonth = beijingMonth(monthStart(beijingMonth(Date.now())) - DAY);

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
  async function windowsFromApi(): Promise<Window[]> {
    return ((await (await server.api('/api/v1/maintenance-windows')).json()) as { windows: Window[] }).windows;
  }

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer({ ZHUYUN_SIMULATE: '1' });
    browser = await launchBrowser();
    const contracts = (await (await server.api('/api/v1/sla/contracts')).json()) as { contracts: Array<{ id: string; operator: string }> };
    contractId = contracts.contracts.find((c) => c.operator === '中国电信贵阳分公司')!.id;
    operatorToken = await server.login('operator', { operator: '中国电信贵阳分公司' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('operator: acknowledges an incident of its contract and sees the time to acknowledge', async () => {
    // An incident last month: the contract in force since before it, a day of Kaiyang reclassified
    // UP with a 50-minute outage in it.
    const last = monthStart(lastMonth);
    expect((await server.api(`/api/v1/sla/contracts/${contractId}`, { method: 'PATCH', headers: json, body: JSON.stringify({ effectiveFrom: last - 31 * DAY }) })).status).toBe(200);
    const day = last + 2 * DAY;
    const start = day + 10 * 3_600_000;
    for (const r of [
      { service: 'extranet:520121', from: day, to: day + DAY, state: 'UP', reason: 'evidence from the operator logs' },
      { service: 'extranet:520121', from: start, to: start + 50 * 60_000, state: 'DOWN', reason: 'core link cut by road works' },
    ]) {
      expect((await server.api('/api/v1/sla/reclassifications', { method: 'POST', headers: json, body: JSON.stringify(r) })).status).toBeLessThan(300);
    }
    const incidents = ((await (await server.api(`/api/v1/sla/incidents?service=extranet:520121&month=${lastMonth}`)).json()) as { incidents: Array<{ id: string; start: number; acknowledgedAt: number | null }> }).incidents;
    const incident = incidents.find((i) => i.start === start)!;
    expect(incident).toMatchObject({ acknowledgedAt: null });

    await signInAs(operatorToken);
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${server.url}/sla?month=${lastMonth}&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    const row = page.locator(`tr[data-incident="${incident.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    const tta = row.getByTestId('incident-tta');
    expect(await tta.innerText()).toContain('确认'); // the button, no time yet
    await row.getByTestId('incident-ack').click();
    // Acknowledged now, the outage began weeks ago: the time shows in days and hours.
    const text = await waitFor(page, () => tta.innerText(), (t) => /\d+ 天/.test(t), 5_000, 'the time to acknowledge');
    const stored = (await (await server.api(`/api/v1/sla/incidents/${incident.id}`)).json()) as { acknowledgedBy: string; acknowledgedAt: number; ttaMs: number };
    expect(stored.acknowledgedBy).toMatch(/^test-operator-/);
    expect(stored.ttaMs).toBe(stored.acknowledgedAt - start);
    expect(text).toContain(`${Math.floor(stored.ttaMs / DAY)} 天`);
    expect(await row.getByTestId('incident-ack').count()).toBe(0);
    await page.getByTestId('sla-incidents').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('sla-ack-1920x1080.png'), fullPage: true });
    // A second acknowledgement is refused (409), so the button is gone for good.
    expect((await server.api(`/api/v1/sla/incidents/${incident.id}/ack`, { method: 'POST', headers: json, body: '{}' })).status).toBe(409);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('operator requests a weekly window, edits it, withdraws another; an admin approves it in the admin tab; the operator sees it approved', async () => {
    await signInAs(operatorToken);
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${server.url}/sla?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('sla-services').waitFor();

    // Every Tuesday 02:00–04:00 for Kaiyang's extranet.
    await page.getByTestId('window-request').click();
    await page.getByTestId('window-title').fill('开阳县核心设备例行巡检');
    await page.getByTestId('window-kind-weekly').check();
    await page.getByTestId('window-submit').click();
    expect(await page.getByTestId('window-form-bad').innerText()).toBe('请选择至少一天'); // no day picked yet
    await page.getByTestId('window-day-2').check();
    await page.getByTestId('window-start-time').fill('02:00');
    await page.getByTestId('window-end-time').fill('04:00');
    await page.getByTestId('window-services').selectOption(['extranet:520121']);
    await page.getByTestId('window-form').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('sla-weekly-form-1366x768.png') });
    await page.getByTestId('window-submit').click();
    const list = page.getByTestId('windows');
    const item = list.locator('li', { hasText: '开阳县核心设备例行巡检' });
    await item.waitFor({ timeout: 5_000 });
    expect(await item.innerText()).toMatch(/待审批[\s\S]*每周二 02:00–04:00，自 \d{4}-\d{2}-\d{2} 起/);
    let weekly = (await windowsFromApi()).find((w) => w.title === '开阳县核心设备例行巡检')!;
    expect(weekly).toMatchObject({ state: 'requested', requestedBy: expect.stringMatching(/^test-operator-/), schedule: { kind: 'weekly', weekdays: [2], startTime: '02:00', durationMinutes: 120 } });

    // While it waits the operator may change it: also Thursdays, until 05:00.
    await item.getByTestId('window-edit').click();
    await page.getByTestId('window-day-4').check();
    await page.getByTestId('window-end-time').fill('05:00');
    await page.getByTestId('window-submit').click();
    await waitFor(page, () => item.innerText(), (t) => t.includes('每周二、四 02:00–05:00'), 5_000, 'the edited window');
    weekly = (await windowsFromApi()).find((w) => w.id === weekly.id)!;
    expect(weekly).toMatchObject({ state: 'requested', schedule: { weekdays: [2, 4], durationMinutes: 180 } });

    // Another request, withdrawn (kept, marked withdrawn; no more buttons).
    await page.getByTestId('window-request').click();
    await page.getByTestId('window-title').fill('临时割接（取消）');
    await page.getByTestId('window-submit').click();
    const other = list.locator('li', { hasText: '临时割接（取消）' });
    await other.waitFor({ timeout: 5_000 });
    await other.getByTestId('window-cancel').click();
    await other.getByTestId('window-cancel-confirm').click();
    await waitFor(page, () => other.innerText(), (t) => t.includes('已撤回'), 5_000, 'the withdrawn window');
    expect(await other.getByTestId('window-edit').count()).toBe(0);
    expect((await windowsFromApi()).find((w) => w.title === '临时割接（取消）')).toMatchObject({ state: 'cancelled' });
    await page.screenshot({ path: artifactPath('sla-windows-1366x768.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    expect(problems).toEqual([]);
    await page.close();

    // The admin's tab: every window; approve the weekly one; create one for a district.
    await signInAs(server.token);
    const admin = await browser.context.newPage();
    const adminProblems = watchProblems(admin);
    await admin.setViewportSize({ width: 1920, height: 1080 });
    await admin.goto(`${server.url}/admin?tab=windows&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    const table = admin.getByTestId('window-table');
    await table.waitFor({ timeout: 10_000 });
    const row = table.locator(`tr[data-window="${weekly.id}"]`);
    expect(await row.innerText()).toMatch(/待审批[\s\S]*开阳县核心设备例行巡检[\s\S]*开阳县电子政务外网[\s\S]*每周二、四 02:00–05:00/);
    await admin.screenshot({ path: artifactPath('admin-windows-1920x1080.png') });
    await row.getByTestId('window-approve').click();
    await waitFor(admin, () => row.getByTestId('window-state').innerText(), (t) => t.includes('已批准'), 5_000, 'approved in the admin tab');

    await admin.getByTestId('window-new').click();
    await admin.getByTestId('window-title').fill('云岩区汇聚设备割接');
    await admin.getByTestId('window-kind-once').check();
    await admin.getByTestId('window-districts').selectOption(['520103']);
    await admin.screenshot({ path: artifactPath('admin-windows-form-1920x1080.png') });
    await admin.getByTestId('window-submit').click();
    const created = table.locator('tr', { hasText: '云岩区汇聚设备割接' });
    await created.waitFor({ timeout: 5_000 });
    expect(await created.innerText()).toContain('云岩区');
    expect((await windowsFromApi()).find((w) => w.title === '云岩区汇聚设备割接')).toMatchObject({ state: 'requested', districts: ['520103'], requestedBy: expect.stringMatching(/^test-admin-/) });
    await admin.setViewportSize({ width: 1366, height: 768 });
    await admin.waitForTimeout(300);
    await admin.screenshot({ path: artifactPath('admin-windows-1366x768.png') });
    expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    // English is complete here too (no message key shows through).
    await admin.goto(`${server.url}/admin?tab=windows&lang=en`, { waitUntil: 'domcontentloaded' });
    await table.waitFor({ timeout: 10_000 });
    await admin.getByTestId('window-new').click();
    const english = await admin.locator('body').innerText();
    expect(english).toContain('every Tue, Thu 02:00–05:00');
    expect(english).toContain('New maintenance window');
    expect(english).not.toMatch(/\b(admin|sla)\.[a-zA-Z]/);
    await admin.screenshot({ path: artifactPath('admin-windows-en-1366x768.png') });
    expect(adminProblems).toEqual([]);
    await admin.close();

    const approved = (await windowsFromApi()).find((w) => w.id === weekly.id)!;
    expect(approved).toMatchObject({ state: 'approved', decidedBy: expect.stringMatching(/^test-admin-/) });

    // The operator sees it approved, and may no longer change it.
    await signInAs(operatorToken);
    const again = await browser.context.newPage();
    const againProblems = watchProblems(again);
    await again.setViewportSize({ width: 1920, height: 1080 });
    await again.goto(`${server.url}/sla?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    const mine = again.getByTestId('windows').locator(`li[data-window="${weekly.id}"]`);
    await mine.waitFor({ timeout: 10_000 });
    expect(await mine.getByTestId('window-state').innerText()).toContain('已批准');
    expect(await mine.getByTestId('window-edit').count()).toBe(0);
    // The district window of another unit is in its contract (all 14 extranets): shown, not its to change.
    expect(await again.getByTestId('windows').innerText()).toContain('云岩区汇聚设备割接');
    await again.getByTestId('windows').scrollIntoViewIfNeeded();
    await again.screenshot({ path: artifactPath('sla-windows-approved-1920x1080.png'), fullPage: true });
    expect(againProblems).toEqual([]);
    await again.close();
  }, 90_000);

  it('admin sets a contract’s service hours and effective date; the SLA view shows them', async () => {
    await signInAs(server.token);
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${server.url}/admin?tab=contracts&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await page.locator(`tr[data-contract="${contractId}"]`).getByTestId('contract-edit').click();
    await page.getByTestId('contract-hours-weekly').check();
    for (const d of [6, 7]) expect(await page.getByTestId(`contract-day-${d}`).isChecked()).toBe(false); // Monday to Friday by default
    await page.getByTestId('contract-hours-from').fill('08:30');
    await page.getByTestId('contract-hours-to').fill('17:30');
    const first = `${beijingMonth(Date.now())}-01`;
    await page.getByTestId('contract-effectiveFrom').fill(first);
    await page.screenshot({ path: artifactPath('admin-contract-hours-1366x768.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.getByTestId('contract-save').click();
    const row = page.locator(`tr[data-contract="${contractId}"]`);
    await waitFor(page, () => row.innerText(), (t) => t.includes('每周 一、二、三、四、五 08:30–17:30') && t.includes(first), 5_000, 'the contract row');
    const c = (await (await server.api(`/api/v1/sla/contracts/${contractId}`)).json()) as { hours: unknown; effectiveFrom: number };
    expect(c).toMatchObject({ hours: { kind: 'weekly', days: [1, 2, 3, 4, 5], from: '08:30', to: '17:30' }, effectiveFrom: monthStart(beijingMonth(Date.now())) });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: artifactPath('admin-contract-hours-1920x1080.png') });

    // The operator's view states the terms, and the month's figures start from the new date.
    await page.goto(`${server.url}/sla?contract=${contractId}&lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('sla-services').waitFor();
    expect(await page.getByTestId('sla-hours').innerText()).toBe('每周 一、二、三、四、五 08:30–17:30');
    expect(await page.getByTestId('sla-effective').innerText()).toContain(first);
    const summary = (await (await server.api(`/api/v1/sla/contracts/${contractId}/summary`)).json()) as { contract: { hours: { kind: string } }; from: number };
    expect(summary.contract.hours.kind).toBe('weekly');
    expect(summary.from).toBeGreaterThanOrEqual(c.effectiveFrom);
    await page.screenshot({ path: artifactPath('sla-hours-1920x1080.png') });
    await page.goto(`${server.url}/sla?contract=${contractId}&lang=en`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('sla-services').waitFor();
    expect(await page.getByTestId('sla-hours').innerText()).toMatch(/Mon, Tue, Wed, Thu, Fri 08:30–17:30/);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
