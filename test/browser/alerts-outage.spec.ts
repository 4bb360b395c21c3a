import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fleetOf } from '../../server/src/simulation/city-fleet.js';
import { artifactPath, browserAvailable, signedInDashboard, waitFor, watchProblems } from '../support/browser.js';

/**
 * Ops' job in an outage (issue 15, items 1–3): 开阳's core goes down with the nodes behind it, as a
 * probe of its own (a collector pushing points) sees it, on the city fleet. /alerts shows ONE row
 * for the outage with its count; opened, the children are held back behind the core by its Chinese
 * name; one click acknowledges every member.
 */
const run = browserAvailable() ? describe : describe.skip;
const CORE = '520121-core-1';
const SHOTS = '/tmp/shots-alerts';

run('an outage as ops work it in /alerts', () => {
  const dash = signedInDashboard({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' }, 90_000);

  it('one group row with its count, children held back behind 开阳县汇聚节点, acknowledged in one click', async () => {
    const { server, browser } = dash;
    mkdirSync(SHOTS, { recursive: true });
    const json = { 'content-type': 'application/json' };
    // Node down waits a minute and loss five: an operator shortens them for the test.
    expect((await server.api('/api/v1/alert-rules/default-net-up-down', { method: 'PUT', headers: json, body: JSON.stringify({ forMs: 1500, keepFiringMs: 60_000 }) })).status).toBe(200);
    for (const id of ['default-net-loss_pct-critical', 'default-net-loss_pct-warning']) {
      expect((await server.api(`/api/v1/alert-rules/${id}`, { method: 'PUT', headers: json, body: JSON.stringify({ forMs: 1500 }) })).status).toBe(200);
    }
    const kids = fleetOf('city').nodes.filter((n) => n.parent === CORE).slice(0, 5);
    expect(kids.length).toBe(5);
    const token = await server.addCollector('kaiyang-probe', '520121');
    let batch = 0;
    let pushing = true;
    let up = 0;
    const push = async () => {
      const ts = Date.now();
      const points = [{ id: CORE, parent: undefined as string | undefined }, ...kids.map((k) => ({ id: k.id, parent: CORE }))].flatMap((n) => {
        const tags = { district: '520121', node: n.id, target: 'kaiyang-probe', ...(n.parent ? { parent: n.parent } : {}) };
        return [
          { metric: 'net.up', ts, value: up, tags },
          { metric: 'net.loss_pct', ts, value: up ? 0 : 100, tags },
        ];
      });
      const res = await fetch(`${server.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ collector: 'kaiyang-probe', batch: `kaiyang-probe:${++batch}`, points }),
      });
      expect(res.status).toBe(202);
    };
    const pusher = (async () => {
      while (pushing) {
        await push();
        await new Promise((r) => setTimeout(r, 500));
      }
    })();

    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    try {
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.goto(`${server.url}/alerts`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('view-alerts').waitFor();
      const group = page.locator(`tr[data-testid="alert-group"]`).filter({ hasText: '开阳县' }).filter({ hasText: '节点中断' });
      // The core and five children, node down and loss: one row, its count said in it.
      const count = await waitFor(
        page,
        async () => ((await group.count()) === 1 ? await group.getByTestId('group-count').innerText() : ''),
        (t) => Number(/\d+/.exec(t)?.[0] ?? 0) >= 6 + 5,
        20_000,
        'one group row for Kaiyang holding the outage',
      );
      expect(count).toMatch(/^\d+ 条$/);
      const n = Number(/\d+/.exec(count)![0]);
      const groupId = await group.getAttribute('data-group');
      // Outside the group, Kaiyang's core has no row of its own (no other 确认 button for it).
      expect(await page.locator(`tr[data-node="${CORE}"]:not([data-member-of])`).count()).toBe(0);
      // The lead: the core's node down, in Chinese.
      expect(await group.innerText()).toContain(`节点中断 等 ${n} 条告警`);
      // 已抑制 counts the children held back.
      const counts = await page.locator('.counts').innerText();
      expect(Number(/已抑制\s*(\d+)/.exec(counts)?.[1] ?? 0)).toBeGreaterThanOrEqual(kids.length);

      await group.getByTestId('group-toggle').click();
      const members = page.locator(`tr[data-member-of="${groupId}"]`);
      await waitFor(page, () => members.count(), (c) => c === n, 5_000, 'the members listed');
      for (const k of kids) {
        const kidDown = page.locator(`tr[data-member-of="${groupId}"][data-node="${k.id}"]`).filter({ hasText: '节点中断' });
        expect(await kidDown.first().innerText()).toContain('上级 开阳县汇聚节点 中断，已抑制');
      }
      expect(await page.locator('[data-testid="alerts-table"]').innerText()).not.toMatch(/node down|behind/);
      await page.waitForTimeout(300);
      await page.screenshot({ path: artifactPath('alerts-outage-1920x1080.png') });
      copyFileSync(artifactPath('alerts-outage-1920x1080.png'), `${SHOTS}/alerts-outage-1920x1080.png`);

      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: `${SHOTS}/alerts-outage-390x844.png` });
      await page.setViewportSize({ width: 1920, height: 1080 });

      // One click acknowledges every member.
      await group.getByTestId('group-ack').click();
      await group.getByTestId('group-acked').waitFor({ timeout: 5_000 });
      const open = (await (await server.api('/api/v1/alerts?state=open&limit=500')).json()) as Array<{ id: string; group?: string; ack: { by: string } | null }>;
      const mine = open.filter((a) => a.group === groupId);
      expect(mine.length).toBe(n);
      expect(mine.every((a) => a.ack?.by === 'test-admin-1')).toBe(true);
      await waitFor(page, () => members.locator('[data-testid="acked"]').count(), (c) => c === n, 5_000, 'every member shows acknowledged');
      await page.screenshot({ path: `${SHOTS}/alerts-outage-acked-1920x1080.png` });
      // The district page says the children are unreachable behind the core by its name, as the
      // alerts do, and names the upstream node by name too (the id stays in its title).
      await page.goto(`${server.url}/district/520121`, { waitUntil: 'domcontentloaded' });
      const kidRow = page.locator(`tr[data-node="${kids[0].id}"]`);
      await waitFor(page, () => kidRow.getByTestId('behind').innerText().catch(() => ''), (t) => t.length > 0, 10_000, 'a child shows behind its core');
      expect(await kidRow.getByTestId('behind').innerText()).toBe('不可达（上级 开阳县汇聚节点 中断）');
      expect(await kidRow.getByTestId('upstream').innerText()).toBe('开阳县汇聚节点');
      expect(await kidRow.getByTestId('upstream').getAttribute('title')).toBe(CORE);
      // The overview's panel: one line for the outage, with its count.
      await page.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
      const panelGroup = page.getByTestId('alert-panel').locator(`li[data-alert="${groupId}"]`);
      await panelGroup.waitFor({ timeout: 10_000 });
      expect(await panelGroup.getByTestId('alert-panel-group').innerText()).toContain(`${n} 条`);
      await page.screenshot({ path: `${SHOTS}/overview-outage-1920x1080.png` });
      await page.goto(`${server.url}/alerts`, { waitUntil: 'domcontentloaded' });
      await group.waitFor();
      // The outage ends: the rows say they are watched for a minute, not "中断" nor "1 = 0".
      up = 1;
      await waitFor(page, () => group.innerText(), (t) => t.includes('已恢复连通 · 恢复观察中（保持 60 秒'), 10_000, 'the lead in its keep-firing minute');
      await page.screenshot({ path: `${SHOTS}/alerts-outage-recovering-1920x1080.png` });
      // The feed says nothing of alerts that went pending → inactive.
      expect(await page.getByTestId('alert-timeline').innerText()).not.toContain('待触发 → 未触发');
      expect(problems).toEqual([]);
    } finally {
      pushing = false;
      await pusher;
      await page.close();
    }
  }, 120_000);
});
