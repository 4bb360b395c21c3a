import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { artifactPath, browserAvailable, signedInDashboard, waitFor, watchProblems } from '../support/browser.js';

/**
 * The topology of the real city (issue 14): 1,840 simulated nodes in four levels drawn as a tree
 * that starts folded at the city and its 14 units, opens a unit with a click, opens the path to a
 * village a search finds, and turns a unit's vertex to the worst status of its subtree when one of
 * its townships goes down.
 */
const run = browserAvailable() ? describe : describe.skip;

const items = (page: Page) => page.evaluate(() => window.__zhuyun?.topologyItems() ?? []);
const noScroll = (page: Page) =>
  page.evaluate(() => ({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth, innerH: window.innerHeight, innerW: window.innerWidth }));

run('the topology of the real city in headless Chromium', () => {
  const dash = signedInDashboard({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' }, 60_000);

  it('starts folded at city → units, opens 清镇, finds a village, and shows a township fault on its unit', async () => {
    const { server, browser } = dash;
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    const problems = watchProblems(page);
    await page.goto(`${server.url}/topology`, { waitUntil: 'domcontentloaded' });

    // Folded: the city core and the 14 units; Qingzhen's count covers all its 255 nodes (villages
    // report every 10 s, so wait for them).
    const start = await waitFor(
      page,
      () => items(page),
      (v) => v.length === 15 && (v.find((i) => i.id === 'unit:520181')?.text ?? '').endsWith('/ 255'),
      30_000,
      'the city and its 14 units, Qingzhen counting 255 nodes',
    );
    expect(start[0]).toMatchObject({ id: 'gy-core', kind: 'city', expanded: true });
    expect(start.filter((i) => i.kind === 'unit')).toHaveLength(14);
    expect(start.find((i) => i.id === 'unit:520181')!.text).toMatch(/^清镇市 · /);
    const before = start.find((i) => i.id === 'unit:520181')!;
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('topology-city-1920x1080.png') });

    // A click on 清镇 opens its 12 townships and 3 departments (its core is folded into it).
    const at = await page.evaluate(() => window.__zhuyun!.topologyPoint('unit:520181'));
    expect(at).not.toBeNull();
    await page.mouse.click(at![0], at![1]);
    const open = await waitFor(page, () => items(page), (v) => v.some((i) => i.id === 't520181100'), 5_000, "Qingzhen's townships");
    const townships = open.filter((i) => /^t520181\d{3}$/.test(i.id));
    expect(townships).toHaveLength(12);
    expect(open.filter((i) => i.id.startsWith('520181-dept-'))).toHaveLength(3);
    expect(open.find((i) => i.id === 't520181100')!.text).toMatch(/^红枫湖镇 · /);
    expect(open.some((i) => i.id.startsWith('v'))).toBe(false);
    expect(await page.getByTestId('topology-selected').innerText()).toContain('清镇市');
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('topology-qingzhen-1920x1080.png') });

    // A village's 12-digit code: the path to it opens and it is highlighted.
    await page.getByTestId('topology-search').fill('520181204233');
    await page.getByTestId('topology-search').press('Enter');
    const found = await waitFor(page, () => items(page), (v) => v.some((i) => i.id === 'v520181204233' && i.highlighted), 5_000, 'the village found');
    expect(found.find((i) => i.id === 't520181204')!.expanded).toBe(true);
    expect(found.find((i) => i.id === 'v520181204233')!.text).toMatch(/^马场村/);
    // And by a township's name.
    await page.getByTestId('topology-search').fill('卫城');
    await page.getByTestId('topology-results').locator('button', { hasText: '卫城镇' }).first().click();
    await waitFor(page, () => items(page), (v) => v.some((i) => i.id === 't520181102' && i.highlighted), 5_000, '卫城镇 found by name');
    await page.getByTestId('topology-search').fill('');

    // A township down: its unit's vertex (and the city's) turns down, and says how many.
    server.app.get(SimulationService).injectFault({ kind: 'link_down', node: 't520181100', durationMs: 120_000 });
    const after = await waitFor(
      page,
      () => items(page),
      (v) => v.find((i) => i.id === 'unit:520181')?.status === 'down' && v.find((i) => i.id === 't520181100')?.status === 'down',
      30_000,
      "Qingzhen's vertex down after a township fault",
    );
    console.log(`清镇 before the fault: ${before.status} "${before.text}"; after: "${after.find((i) => i.id === 'unit:520181')!.text}"`);
    expect(after.find((i) => i.id === 'unit:520181')!.text).toMatch(/^清镇市 · \d+ 中断 \/ 255$/);
    expect(after.find((i) => i.id === 'gy-core')!.status).toBe('down');
    // A sibling township with nothing down stays as it was.
    expect(after.find((i) => i.id === 't520181002')!.status).not.toBe('down');
    await page.waitForTimeout(800);
    await page.screenshot({ path: artifactPath('topology-fault-1920x1080.png') });
    const s = await noScroll(page);
    expect(s.w).toBeLessThanOrEqual(s.innerW);
    expect(s.h).toBeLessThanOrEqual(s.innerH);

    // English, then a phone.
    await page.getByTestId('lang-en').click();
    await waitFor(page, () => items(page), (v) => (v.find((i) => i.id === 'unit:520181')?.text ?? '').startsWith('Qingzhen · '), 5_000, 'English labels');
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('topology-en-1920x1080.png') });
    await page.getByTestId('lang-zh-CN').click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(1_200);
    await page.screenshot({ path: artifactPath('topology-390x844.png') });
    expect((await noScroll(page)).w).toBeLessThanOrEqual(390);
    // Folded again, the chart scrolled back to the city.
    await page.getByTestId('topology-collapse').click();
    await waitFor(page, () => items(page), (v) => v.length === 15, 5_000, 'folded again');
    expect(await page.getByTestId('topology-scroller').evaluate((e) => e.scrollLeft + e.scrollTop)).toBe(0);
    await page.waitForTimeout(500);
    await page.screenshot({ path: artifactPath('topology-folded-390x844.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
