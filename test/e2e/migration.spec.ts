import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, configFromObject, silentLogger } from '@zhuyun/collectors';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveTestClient } from '../support/live-client.js';
import { relationalBackends } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** The migration inventory end to end, on SQLite and on PostgreSQL: the same tests on both. */
const backends = await relationalBackends('mig');

const HEADER = '\uFEFF系统编号,系统名称,所属单位,区县,建设类型,资金方式,年运维费用（元）,财政运维,目标日期,状态,登记日期,评估日期,豁免依据,备注\r\n';
// Rows 2, 3, 5 and 7 are good; 4 (unknown district), 6 (exempt without a cited law) and 8 (bad cost) are not.
const CSV =
  HEADER +
  'yy-001,云岩区人社局社保业务系统,云岩区人社局,520103,existing,fiscal_build,300000,是,2026-06-30,assessed,2026-01-05,2026-02-10,,\r\n' +
  'yy-002,云岩区人社局就业服务平台,云岩区人社局,云岩区,存量,财政运维,"1,200,000",是,,已登记,2026-01-05,,,"备注，有逗号\r\n和换行"\r\n' +
  'xx-003,某区系统,某局,520199,existing,fiscal_build,100,是,,inventoried,2026-01-05,,,\r\n' +
  'hx-004,花溪区卫健局基层医疗卫生信息系统,花溪区卫健局,520111,new,joint_build,80000,否,2099-01-01,inventoried,2026-02-01,,,\r\n' +
  'xf-005,息烽县公安局涉密系统,息烽县公安局,520122,existing,fiscal_build,500000,是,,exempt,2026-01-05,,,\r\n' +
  'gx-006,高新区管委会办公室协同办公系统,贵阳高新区管委会办公室,gy-hitech,existing,purchased_service,60000,是,2026-03-31,assessed,2026-01-05,2026-01-20,,\r\n' +
  'gx-007,高新区企业服务平台,贵阳高新区经济发展局,gy-hitech,existing,fiscal_build,12.345,是,,inventoried,2026-01-05,,,\r\n';

describe.each(backends)('migration inventory on %s', (_name, makeBackend) => {
  let backend: { env: Record<string, string>; cleanup(): Promise<void> };
  let server: TestServer;
  const api = (path: string, init?: RequestInit) => server.api(`/api/v1/migration${path}`, init);
  const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const importCsv = (csv: string | Buffer, mode?: string) =>
    api(`/systems/import${mode ? `?mode=${mode}` : ''}`, { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: typeof csv === 'string' ? csv : new Uint8Array(csv) });

  beforeAll(async () => {
    backend = await makeBackend();
    server = await startTestServer(backend.env);
  });
  afterAll(async () => {
    await server?.close();
    await backend?.cleanup();
  });

  it('all-or-nothing: stores nothing and lists every error with its row and column', async () => {
    const res = await importCsv(CSV, 'all-or-nothing');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toBe('3 of 7 rows have errors: nothing was stored (mode all-or-nothing)');
    expect(body.error.details).toMatchObject({ mode: 'all-or-nothing', stored: false, rows: 7, created: 0, updated: 0, failed: 3 });
    expect(body.error.details.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [4, '区县'],
      [6, '豁免依据'],
      [8, '年运维费用（元）'],
    ]);
    expect((await (await api('/systems')).json()).count).toBe(0);
  });

  it('row-by-row: stores the good rows and reports the bad ones', async () => {
    const res = await importCsv(CSV, 'row-by-row');
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report).toMatchObject({ mode: 'row-by-row', stored: true, rows: 7, created: 4, updated: 0, unchanged: 0, failed: 3, agenciesCreated: 3 });
    expect(report.errors.map((e: { row: number }) => e.row)).toEqual([4, 6, 8]);
    const list = await (await api('/systems')).json();
    expect(list.systems.map((s: { id: string }) => s.id).sort()).toEqual(['gx-006', 'hx-004', 'yy-001', 'yy-002']);
    const yy2 = list.systems.find((s: { id: string }) => s.id === 'yy-002');
    expect(yy2).toMatchObject({ fundingMode: 'fiscal_om', omCostYuan: 1_200_000, state: 'inventoried', note: '备注，有逗号\r\n和换行', agencyName: '云岩区人社局' });
  });

  it('filters by district, state and flag', async () => {
    const byDistrict = await (await api('/systems?district=520103')).json();
    expect(byDistrict.count).toBe(2);
    const overdue = await (await api('/systems?flag=overdue')).json();
    // targets 2026-06-30 and 2026-03-31 are past (the clock is real: the test runs after them)
    expect(overdue.systems.map((s: { id: string }) => s.id).sort()).toEqual(['gx-006', 'yy-001']);
    const assessed = await (await api('/systems?state=assessed&district=gy-hitech')).json();
    expect(assessed.systems.map((s: { id: string }) => s.id)).toEqual(['gx-006']);
    expect((await api('/systems?flag=late')).status).toBe(400);
  });

  it('summary: counts per state, migration rate with its counts, overdue and O&M at risk', async () => {
    const s = await (await api('/summary')).json();
    const yunyan = s.units.find((u: { unit: string }) => u.unit === '520103');
    expect(yunyan).toMatchObject({ inScope: 2, migrated: 0, denominator: 2, migrationRate: 0, overdue: 1, omAtRisk: 2, omAtRiskYuan: 1_500_000, zh: '云岩区' });
    expect(yunyan.counts).toMatchObject({ assessed: 1, inventoried: 1 });
    expect(s.units).toHaveLength(15);
    expect(s.total).toMatchObject({ inScope: 4, omAtRisk: 3, omAtRiskYuan: 1_560_000 });
  });

  it('a district user reads its own district only: systems, one system, history, summary and its total', async () => {
    const token = await server.login('district', { district: '520103' });
    const as = (path: string) => fetch(`${server.url}/api/v1/migration${path}`, { headers: { authorization: `Bearer ${token}` } });
    const list = await (await as('/systems')).json();
    expect(list.systems.map((x: { id: string }) => x.id).sort()).toEqual(['yy-001', 'yy-002']);
    expect((await as('/systems?district=520111')).status).toBe(403);
    expect((await as('/systems/hx-004')).status).toBe(403);
    expect((await as('/systems/hx-004/history')).status).toBe(403);
    expect((await as('/systems/yy-001/history')).status).toBe(200);
    const s = await (await as('/summary')).json();
    expect(s.units.map((u: { unit: string }) => u.unit)).toEqual(['520103']);
    // The total is the district's, not the city's (4 in scope, 3 at risk city-wide).
    expect(s.total).toMatchObject({ unit: '520103', inScope: 2, omAtRisk: 2, omAtRiskYuan: 1_500_000 });
    expect(s.total).not.toHaveProperty('cloud');
  });

  it('PATCH changes the state along the graph and records who, when, what', async () => {
    const bad = await api('/systems/yy-001', { method: 'PATCH', ...json({ state: 'migrated' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/assessed -> migrated is not allowed unless the dates of the states in between are given/);

    const res = await api('/systems/yy-001', { method: 'PATCH', ...json({ state: 'applied', stateDate: '2026-03-02', note: '已提交申请' }) });
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s).toMatchObject({ state: 'applied', stateDates: { assessed: '2026-02-10', applied: '2026-03-02' }, note: '已提交申请' });
    expect(s.allowedNext).toContain('accepted');

    const accepted = await api('/systems/yy-001', { method: 'PATCH', ...json({ state: 'accepted', stateDate: '2026-02-13' }) });
    expect(accepted.status).toBe(400); // before the application day
    await api('/systems/yy-001', { method: 'PATCH', ...json({ state: 'accepted', stateDate: '2026-03-03' }) });
    const verified = await (await api('/systems/yy-001', { method: 'PATCH', ...json({ state: 'verified', stateDate: '2026-03-13' }) })).json();
    // accepted Tue 03-03: the 5th working day is Tue 03-10, verified on the 8th
    expect(verified.flags.verification).toMatchObject({ deadline: '2026-03-10', workingDays: 8, breach: true });
    expect(verified.flags.verificationBreach).toBe(true);
    const breaches = await (await api('/systems?flag=verification_breach')).json();
    expect(breaches.systems.map((x: { id: string }) => x.id)).toEqual(['yy-001']);

    const history = await (await api('/systems/yy-001/history')).json();
    const stateChanges = history.filter((h: { field: string }) => h.field === 'state').map((h: { before: string; after: string }) => `${h.before}->${h.after}`);
    expect(stateChanges).toEqual(['null->assessed', 'assessed->applied', 'applied->accepted', 'accepted->verified']);
    const applied = history.find((h: { field: string; after: string }) => h.field === 'state' && h.after === 'applied');
    expect(applied).toMatchObject({ actor: 'user:test-admin-1', source: 'api', entity: 'system', entityId: 'yy-001' });
    expect(typeof applied.at).toBe('number');
    expect(history.some((h: { field: string; after: string }) => h.field === 'note' && h.after === '已提交申请')).toBe(true);
    expect(history.find((h: { field: string }) => h.field === 'name')).toMatchObject({ source: 'import', before: null });
  });

  it('export then re-import is a round trip; an edited cell is an update with history', async () => {
    const res = await api('/systems/export');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.split('\r\n')[0]).toMatch(/^\uFEFF系统编号,系统名称,所属单位,区县/);

    const again = await (await importCsv(bytes, 'all-or-nothing')).json();
    expect(again).toMatchObject({ stored: true, rows: 4, created: 0, updated: 0, unchanged: 4, failed: 0 });

    const edited = text.replace('hx-004,花溪区卫健局基层医疗卫生信息系统,花溪区卫健局,520111,new,joint_build,80000', 'hx-004,花溪区卫健局基层医疗卫生信息系统,花溪区卫健局,520111,new,joint_build,90000');
    expect(edited).not.toBe(text);
    const update = await (await importCsv(edited, 'all-or-nothing')).json();
    expect(update).toMatchObject({ created: 0, updated: 1, unchanged: 3 });
    const h = await (await api('/systems/hx-004/history')).json();
    expect(h.filter((e: { field: string }) => e.field === 'omCostYuan').map((e: { before: string | null; after: string }) => [e.before, e.after])).toEqual([
      [null, '80000'],
      ['80000', '90000'],
    ]);

    const zh = await (await api('/systems/export?lang=zh')).text();
    expect(zh).toContain('已核验');
    const back = await (await importCsv(zh, 'row-by-row')).json();
    expect(back).toMatchObject({ created: 0, updated: 0, unchanged: 4, failed: 0 });
  });

  it('agencies: CRUD, and an agency with systems cannot be deleted', async () => {
    const created = await api('/agencies', { method: 'POST', ...json({ name: '开阳县教育局', unit: '开阳县' }) });
    expect(created.status).toBe(201);
    const a = await created.json();
    expect(a).toMatchObject({ name: '开阳县教育局', unit: '520121' });
    expect((await api('/agencies', { method: 'POST', ...json({ name: '开阳县教育局', unit: '520121' }) })).status).toBe(409);
    const sys = await api('/systems', { method: 'POST', ...json({ name: '开阳县中小学学籍管理系统', agencyId: a.id, track: 'existing', fundingMode: 'fiscal_build', omCostYuan: 40000, fiscalOm: true }) });
    expect(sys.status).toBe(201);
    expect(await sys.json()).toMatchObject({ district: '520121', state: 'inventoried' });
    expect((await api(`/agencies/${a.id}`, { method: 'DELETE' })).status).toBe(409);
    const renamed = await (await api(`/agencies/${a.id}`, { method: 'PATCH', ...json({ name: '开阳县教育和科技局' }) })).json();
    expect(renamed.name).toBe('开阳县教育和科技局');
    const all = await (await api('/agencies')).json();
    // three created by the import, this one
    expect(all.map((x: { name: string }) => x.name).sort()).toEqual(['云岩区人社局', '开阳县教育和科技局', '花溪区卫健局', '贵阳高新区管委会办公室'].sort());
    const ah = await (await api(`/agencies/${a.id}/history`)).json();
    expect(ah.map((e: { field: string; before: string | null; after: string }) => [e.field, e.before, e.after])).toEqual([
      ['name', null, '开阳县教育局'],
      ['unit', null, '520121'],
      ['name', '开阳县教育局', '开阳县教育和科技局'],
    ]);
    expect((await api('/systems', { method: 'POST', ...json({ name: 'x', agencyId: 'nope', track: 'existing', fundingMode: 'fiscal_build', omCostYuan: 1, fiscalOm: true }) })).status).toBe(400);
  });

  it('refuses a body over the limit with 413, a GBK file and a JSON body with 400', async () => {
    const big = HEADER + 'x'.repeat(5 * 1024 * 1024 + 10);
    const res = await importCsv(big, 'row-by-row');
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toMatch(/CSV larger than 5242880 bytes/);
    const gbk = Buffer.from([0xcf, 0xb5, 0xcd, 0xb3, 0xc3, 0xfb, 0xb3, 0xc6, 0x0a]); // "系统名称" in GBK
    const notUtf8 = await importCsv(gbk, 'row-by-row');
    expect(notUtf8.status).toBe(400);
    expect((await notUtf8.json()).error.message).toMatch(/not UTF-8/);
    const asJson = await api('/systems/import', { method: 'POST', ...json({ rows: [] }) });
    expect(asJson.status).toBe(400);
    expect((await importCsv(CSV, 'sometimes')).status).toBe(400);
  });

  it('gives the district comparison its month: rate with numerator and denominator, overdue, O&M at risk', async () => {
    const feb = await (await api('/monthly?unit=520103&month=2026-02')).json();
    // at the end of February yy-001 was assessed, yy-002 inventoried; neither target had passed (06-30, none)
    expect(feb).toMatchObject({ unit: '520103', asOf: '2026-02-28', inScope: 2, migrated: 0, denominator: 2, migrationRate: 0, overdue: 0, omAtRisk: 2, omAtRiskYuan: 1_500_000 });
    const jul = await (await api('/monthly?unit=520103&month=2026-07')).json();
    expect(jul).toMatchObject({ asOf: '2026-07-31', overdue: 1 });
    expect((await api('/monthly?unit=520103&month=2099-01')).status).toBe(400);

    // the same figures reach the district comparison through its MIGRATION_FIGURES port
    const cmp = await (await server.api(`/api/v1/comparison?month=2026-02`)).json();
    expect(cmp.sources.migration).toBe(true);
    expect(cmp.rows.find((r: { unit: string }) => r.unit === '520103').migration).toEqual({ migrated: 0, denominator: 2, ratePct: 0, overdue: 0, omAtRisk: 2, omAtRiskCny: 1_500_000 });
    expect(cmp.rows.find((r: { unit: string }) => r.unit === '520121').migration).toEqual({ migrated: 0, denominator: 0, ratePct: null, overdue: 0, omAtRisk: 0, omAtRiskCny: 0 });
  });

  it('pushes the per-unit summary on the migration topic', async () => {
    const client = new LiveTestClient(server.url, server.token);
    try {
      await client.connected();
      const ack = await client.subscribe(['migration']);
      expect(ack.subscribed).toEqual(['migration']);
      await api('/systems/hx-004', { method: 'PATCH', ...json({ state: 'assessed' }) });
      const frame = await client.waitForFrame<{ units: Array<{ unit: string; counts: { assessed: number } }> }>(
        (f) => f.topic === 'migration' && (f.data as { units?: Array<{ unit: string; counts: { assessed: number } }> })?.units?.find((u) => u.unit === '520111')?.counts.assessed === 1,
      );
      expect(frame.data.units).toHaveLength(15);
    } finally {
      client.close();
    }
  });
});

describe('the simulated city', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ZHUYUN_SIMULATE: '1' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('starts with a seeded inventory that shows every flag, and the cloud running counts as evidence', async () => {
    const s = await (await server.api(`/api/v1/migration/summary`)).json();
    expect(s.total.inScope).toBeGreaterThanOrEqual(80);
    expect(s.units.filter((u: { kind: string; inScope: number }) => u.kind !== 'city' && u.inScope > 0)).toHaveLength(14);
    expect(s.total.overdue).toBeGreaterThan(0);
    expect(s.total.verificationBreach).toBeGreaterThanOrEqual(2);
    expect(s.total.prematureGoLive).toBeGreaterThanOrEqual(1);
    expect(s.total.counts.exempt).toBe(2);
    expect(s.total.omAtRiskYuan).toBeGreaterThan(0);
    const exempt = await (await server.api(`/api/v1/migration/systems?state=exempt`)).json();
    expect(exempt.systems[0].exemptBasis).toMatch(/保守国家秘密法/);

    // the simulated platforms' collector reports cloud.systems_running per unit every second
    let evidence: { units: Array<{ unit: string; running: number }> } = { units: [] };
    for (let i = 0; i < 40 && evidence.units.length < 14; i++) {
      await new Promise((r) => setTimeout(r, 250));
      evidence = await (await server.api(`/api/v1/migration/cloud-evidence`)).json();
    }
    expect(evidence.units).toHaveLength(14);
    const migrated = await (await server.api(`/api/v1/migration/systems?state=migrated`)).json();
    expect(migrated.count).toBeGreaterThan(0);
    // Before any cloud_inventory agent listed systems, only the unit's count is evidence.
    expect(migrated.systems[0].evidence).toMatchObject({ expectedOnCloud: true, systemSeenAt: null, systemState: null, unitRunning: expect.any(Number), unitSeenAt: expect.any(Number) });
    const withCloud = (await (await server.api(`/api/v1/migration/summary`)).json()).units.filter((u: { cloud: unknown }) => u.cloud);
    expect(withCloud).toHaveLength(14);
  });

  it('a real cloud_inventory agent lists systems: matched by name within the unit, running or not, and disagreements flagged', async () => {
    type Sys = { id: string; name: string; district: string; agencyId: string; evidence: { systemSeenAt: number | null; systemState: string | null; mismatch: boolean } };
    const migrated = ((await (await server.api('/api/v1/migration/systems?state=migrated')).json()) as { systems: Sys[] }).systems;
    expect(migrated.length).toBeGreaterThanOrEqual(3);
    const [running, stopped, missing] = migrated;
    // The cloud's own listing: names written as its operators write them (full-width, other case, spaces).
    const dir = mkdtempSync(join(tmpdir(), 'zhuyun-cloudinv-'));
    const file = join(dir, 'inventory.json');
    writeFileSync(file, JSON.stringify([
      { system: ` ${running.name.normalize('NFKC')} `, agency: '某委办局', district: running.district, state: 'running' },
      { system: stopped.name, agency: '某委办局', district: stopped.district, state: 'stopped' },
    ]));
    const issued = await server.api('/api/v1/collectors', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'cloud-inv-e2e', district: '520115', units: '*' }) });
    // The cloud's listing names systems of every unit: its collector is registered for all of them
    // (docs/SECURITY.md "A collector writes only where it stands").
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const agent = new Agent({
      config: configFromObject({
        server: { url: server.url, token },
        collector: { id: 'cloud-inv-e2e', district: '520115' },
        probes: [{ type: 'cloud_inventory', interval: '1s', file }],
      }, 'e2e'),
      logger: silentLogger,
    });
    agent.start();
    try {
      const evidenceOf = async (id: string) => ((await (await server.api(`/api/v1/migration/systems/${encodeURIComponent(id)}`)).json()) as Sys).evidence;
      let r = await evidenceOf(running.id);
      for (let i = 0; i < 60 && r.systemState === null; i++) {
        await new Promise((res) => setTimeout(res, 250));
        r = await evidenceOf(running.id);
      }
      expect(r).toMatchObject({ systemState: 'running', systemSeenAt: expect.any(Number), mismatch: false });
      expect(await evidenceOf(stopped.id)).toMatchObject({ systemState: 'listed', mismatch: true });
      expect(await evidenceOf(missing.id)).toMatchObject({ systemState: null, systemSeenAt: null });
    } finally {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
