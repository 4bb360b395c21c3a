import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath, browserAvailable, launchBrowser, signIn, waitFor, watchProblems } from '../support/browser.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/**
 * The migration inventory view and its editing (issue 6) in headless Chromium against the simulated
 * city (which seeds 91 systems): an ops user filters by a district and a flag and sees the API's
 * systems and counts; the district drill-down shows the unit's summary; an admin moves a system's
 * state, sees the server's refusal in its words and the change in the history under the admin's
 * name, and creates a system by form; a district user sees its own district only.
 */
const run = browserAvailable() ? describe : describe.skip;

interface Sys {
  id: string;
  name: string;
  district: string;
  state: string;
  exemptBasis: string | null;
  allowedNext: string[];
  flags: Record<string, unknown>;
}
const FLAG_FIELD: Record<string, string> = {
  overdue: 'overdue',
  stalled: 'stalled',
  verification_breach: 'verificationBreach',
  premature_go_live: 'prematureGoLive',
  om_at_risk: 'omAtRisk',
};

const rowIds = (page: Page) => page.locator('[data-testid="system-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-system')!).sort());
const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

run('migration inventory view and editing in headless Chromium (the simulated city)', () => {
  let server: TestServer;
  let admin: { context: BrowserContext; close(): Promise<void> };
  let ops: { context: BrowserContext; close(): Promise<void> };
  let district: { context: BrowserContext; close(): Promise<void> };
  let all: Sys[];
  const asJson = async <T>(path: string): Promise<T> => (await (await server.api(path)).json()) as T;

  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer({ ZHUYUN_SIMULATE: '1' });
    admin = await launchBrowser();
    await signIn(admin.context, server);
    ops = await launchBrowser();
    await signIn(ops.context, { url: server.url, token: await server.login('ops') });
    district = await launchBrowser();
    await signIn(district.context, { url: server.url, token: await server.login('district', { district: '520103' }) });
    all = (await asJson<{ systems: Sys[] }>('/api/v1/migration/systems')).systems;
  }, 60_000);

  afterAll(async () => {
    await admin?.close();
    await ops?.close();
    await district?.close();
    await server?.close();
  });

  it('ops filters by a district and a flag and sees the API’s systems and counts', async () => {
    expect(all.length).toBeGreaterThan(50);
    // The (district, flag) pair with the most systems of the seeded inventory, and not the whole district.
    const pairs = new Map<string, number>();
    for (const s of all) for (const [flag, field] of Object.entries(FLAG_FIELD)) if (s.flags[field] === true) pairs.set(`${s.district}|${flag}`, (pairs.get(`${s.district}|${flag}`) ?? 0) + 1);
    const [pick] = [...pairs].sort((a, b) => b[1] - a[1]);
    expect(pick[1]).toBeGreaterThan(1);
    const [code, flag] = pick[0].split('|');
    const api = await asJson<{ count: number; systems: Sys[] }>(`/api/v1/migration/systems?district=${code}&flag=${flag}`);
    expect(api.count).toBe(pick[1]);

    const page = await ops.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('nav-migration').click();
    await page.getByTestId('view-migration').waitFor({ timeout: 10_000 });
    await waitFor(page, () => rowIds(page), (ids) => ids.length === all.length, 15_000, 'every system listed');
    expect(await page.getByTestId('count-total').innerText()).toBe(String(all.length));

    await page.getByTestId('filter-district').selectOption(code);
    await page.getByTestId('filter-flag').selectOption(flag);
    const ids = await waitFor(page, () => rowIds(page), (x) => sameSet(x, api.systems.map((s) => s.id)), 10_000, `the systems of ${code} flagged ${flag}`);
    expect(ids).toHaveLength(api.count);
    expect(await page.getByTestId('count-total').innerText()).toBe(String(api.count));
    // Counts per state agree with the API's list; the flag's own count is all of them.
    const perState = new Map<string, number>();
    for (const s of api.systems) perState.set(s.state, (perState.get(s.state) ?? 0) + 1);
    const chips = await page.locator('[data-testid^="count-state-"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-testid')!.slice(12), Number(e.getAttribute('data-count'))] as [string, number]));
    expect(new Map(chips.filter(([, n]) => n > 0))).toEqual(perState);
    expect(await page.getByTestId(`count-flag-${flag}`).getAttribute('data-count')).toBe(String(api.count));
    // Text that matches nothing: the empty state says so, the counts are zero.
    await page.getByTestId('filter-q').fill('没有这个系统');
    await page.getByTestId('migration-empty').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('count-total').innerText()).toBe('0');
    await page.getByTestId('filter-q').fill('');
    await waitFor(page, () => rowIds(page), (x) => x.length === api.count, 5_000, 'the list back');
    // The filters are in the URL: a reload shows the same list.
    expect(new URL(page.url()).searchParams.get('district')).toBe(code);
    expect(new URL(page.url()).searchParams.get('flag')).toBe(flag);

    // Without a system picked, the right side is the progress of every unit.
    await waitFor(page, () => page.locator('[data-testid="migration-view-progress"] canvas').count(), (n) => n > 0, 10_000, 'the progress chart');
    expect(await page.locator('[data-testid="unit-rates"] tbody tr').count()).toBe(15);
    await page.waitForTimeout(600);
    await page.screenshot({ path: artifactPath('migration-1920x1080.png') });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(600);
    await page.screenshot({ path: artifactPath('migration-1366x768.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });

    // A system's details: its flags, the cloud evidence the server has, its history.
    const first = api.systems[0];
    await page.locator(`[data-testid="system-row"][data-system="${first.id}"]`).click();
    const details = page.getByTestId('system-details');
    await details.waitFor({ timeout: 5_000 });
    expect(await details.getAttribute('data-system')).toBe(first.id);
    expect(await page.locator(`[data-testid="system-flags"] [data-flag="${flag}"]`).count()).toBe(1);
    expect(await page.getByTestId('system-evidence').innerText()).toContain('按清单应在云上运行');
    await waitFor(page, () => page.getByTestId('history-change').count(), (n) => n > 0, 10_000, 'the history');
    // The seeded inventory was imported by the simulation.
    expect(await page.getByTestId('history-change').last().innerText()).toContain('simulation');

    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(600);
    await page.screenshot({ path: artifactPath('migration-details-1366x768.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: artifactPath('migration-details-1920x1080.png') });

    // English is complete: no message key shows through.
    await page.goto(`${server.url}/migration?lang=en&district=${code}&system=${first.id}`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => page.getByTestId('history-change').count(), (n) => n > 0, 10_000, 'the history in English');
    const text = await page.locator('body').innerText();
    expect(text).toContain('Cloud evidence');
    expect(text).not.toMatch(/\b(migration|leader|admin|nav)\.[a-zA-Z]/);
    await page.screenshot({ path: artifactPath('migration-en-1920x1080.png') });

    // The district drill-down has the unit's summary, with a link to the filtered inventory.
    const summary = await asJson<{ units: Array<{ unit: string; migrated: number; denominator: number }> }>('/api/v1/migration/summary');
    const unit = summary.units.find((u) => u.unit === code)!;
    await page.goto(`${server.url}/district/${code}?lang=zh-CN`, { waitUntil: 'domcontentloaded' });
    const panel = page.getByTestId('district-migration');
    await page.getByTestId('district-migration-rate').waitFor({ timeout: 10_000 });
    expect(await panel.innerText()).toContain(`已迁移 ${unit.migrated} / 应迁移 ${unit.denominator}`);
    const flaggedInDistrict = all.filter((s) => s.district === code && Object.values(FLAG_FIELD).some((f) => s.flags[f] === true)).length;
    expect(await panel.innerText()).toContain(`需关注的系统（${flaggedInDistrict}）`);
    await page.screenshot({ path: artifactPath('district-migration-1920x1080.png'), fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    await panel.scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await page.screenshot({ path: artifactPath('district-migration-1366x768.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('district-migration-link').click();
    await page.getByTestId('view-migration').waitFor({ timeout: 5_000 });
    await waitFor(page, () => rowIds(page), (x) => sameSet(x, all.filter((s) => s.district === code).map((s) => s.id)), 10_000, 'the district’s systems');
    expect(problems).toEqual([]);
  }, 120_000);

  it('an admin moves a state, sees the server’s refusal, the history under the admin’s name, and creates a system', async () => {
    const target = all.find((s) => s.state === 'inventoried' && s.allowedNext.includes('assessed') && s.allowedNext.includes('exempt') && !s.exemptBasis)!;
    expect(target).toBeDefined();
    const page = await admin.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/admin?tab=inventory`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('edit-filter-district').selectOption(target.district);
    const row = page.locator(`[data-testid="edit-systems"] tr[data-system="${target.id}"] button`);
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByTestId('state-form').waitFor();

    // Exempt without the law cited: the server refuses, and says why.
    await page.getByTestId('s-next').selectOption('exempt');
    await page.getByTestId('s-apply').click();
    const msg = page.getByTestId('s-msg');
    await waitFor(page, () => msg.innerText().catch(() => ''), (t) => t.length > 0, 10_000, 'the refusal');
    expect(await msg.getAttribute('class')).toContain('err');
    expect(await msg.innerText()).toMatch(/exemptBasis/);
    expect((await asJson<Sys>(`/api/v1/migration/systems/${target.id}`)).state).toBe('inventoried');

    // An allowed move: stored, and in the history with the admin's name.
    await page.getByTestId('s-next').selectOption('assessed');
    await page.getByTestId('s-apply').click();
    await waitFor(page, () => msg.innerText().catch(() => ''), (t) => t.includes('已评估'), 10_000, 'the state change');
    expect((await asJson<Sys>(`/api/v1/migration/systems/${target.id}`)).state).toBe('assessed');
    const newest = page.getByTestId('history-change').first();
    await waitFor(page, () => newest.getAttribute('data-actor'), (a) => a === 'test-admin-1', 10_000, 'the change under the admin’s name');
    expect(await newest.locator('[data-field="state"]').innerText()).toMatch(/已登记\s*→\s*已评估/);
    const history = await asJson<Array<{ actor: string; field: string; after: string }>>(`/api/v1/migration/systems/${target.id}/history`);
    expect(history.at(-1)).toMatchObject({ actor: 'user:test-admin-1', field: expect.stringMatching(/state|assessedDate/) });
    await page.screenshot({ path: artifactPath('admin-inventory-edit-1920x1080.png'), fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByTestId('state-form').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('admin-inventory-edit-1366x768.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });

    // The field edit: only what changed is sent and recorded.
    await page.getByTestId('f-om').fill('123456');
    await page.getByTestId('f-save').click();
    await waitFor(page, () => page.getByTestId('f-msg').innerText().catch(() => ''), (t) => t === '已保存', 10_000, 'the field edit');
    const edited = await asJson<Sys & { omCostYuan: number }>(`/api/v1/migration/systems/${target.id}`);
    expect(edited.omCostYuan).toBe(123456);

    // A forward jump: two steps at once, with the day of the state skipped.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await page.getByTestId('s-next').selectOption('accepted');
    await page.getByTestId('s-skip-applied').fill(today);
    await page.getByTestId('s-apply').click();
    await waitFor(page, () => msg.innerText().catch(() => ''), (t) => t.includes('已受理'), 10_000, 'the jump');
    const jumped = await asJson<Sys & { stateDates: Record<string, string> }>(`/api/v1/migration/systems/${target.id}`);
    expect(jumped).toMatchObject({ state: 'accepted', stateDates: { applied: today, accepted: today } });

    // A new system by form, with a new agency.
    await page.getByTestId('edit-new').click();
    await page.getByTestId('f-save').click();
    expect(await page.getByTestId('edit-form').locator('small.err:not(:empty)').count()).toBeGreaterThanOrEqual(3);
    await page.getByTestId('f-name').fill('浏览器测试协同办公系统');
    await page.getByTestId('f-district').selectOption('520111');
    await page.getByTestId('f-agency').selectOption('__new__');
    await page.getByTestId('f-agency-name').fill('花溪区浏览器测试局');
    await page.getByTestId('f-om').fill('80000');
    await page.getByTestId('f-save').click();
    await waitFor(page, () => page.getByTestId('f-msg').innerText().catch(() => ''), (t) => t.startsWith('已创建系统'), 10_000, 'the creation');
    const created = (await asJson<{ systems: Array<Sys & { agencyName: string }> }>('/api/v1/migration/systems?district=520111')).systems.find((s) => s.name === '浏览器测试协同办公系统');
    expect(created).toMatchObject({ state: 'inventoried', agencyName: '花溪区浏览器测试局' });
    // The one refused request is the exemption without its law; nothing else failed.
    expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  }, 90_000);

  it('a district user sees its own district only', async () => {
    const own = all.filter((s) => s.district === '520103').map((s) => s.id);
    expect(own.length).toBeGreaterThan(0);
    const page = await district.context.newPage();
    const problems = watchProblems(page);
    // Asking for another district in the URL still shows its own.
    await page.goto(`${server.url}/migration?district=520111`, { waitUntil: 'domcontentloaded' });
    await waitFor(page, () => rowIds(page), (x) => sameSet(x, own), 15_000, 'the district’s own systems');
    expect(await page.getByTestId('filter-district').isDisabled()).toBe(true);
    expect(await page.getByTestId('filter-district').inputValue()).toBe('520103');
    expect(await page.getByTestId('count-total').innerText()).toBe(String(own.length));
    expect(await page.locator('[data-testid="unit-rates"] tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-unit')))).toEqual(['520103']);
    expect(await page.getByTestId('nav-migration').count()).toBe(1);
    await waitFor(page, () => page.locator('[data-testid="migration-view-progress"] canvas').count(), (n) => n > 0, 10_000, 'the progress chart');
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('migration-district-1920x1080.png') });
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('migration-district-1366x768.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
