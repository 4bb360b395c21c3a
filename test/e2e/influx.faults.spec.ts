import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Point } from '@zhuyun/protocol';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxTimeSeriesStore, type DropReason } from '../../server/src/storage/influx/influx.time-series.store.js';

/**
 * How the InfluxDB adapter takes each kind of answer, against a fake InfluxDB on 127.0.0.1 whose
 * /write answers the test decides (a real influxd cannot be made to answer 500 or 413 on demand).
 * Not InfluxDB's semantics (influx.store.spec.ts has those): only the adapter's reactions.
 */

type Answer = { status: number; body?: string } | 'hang';

class FakeInflux {
  private server!: Server;
  url = '';
  /** What /write answers next (per request). */
  answer: (body: string) => Answer = () => ({ status: 204 });
  /** Bodies of the writes answered 204, in arrival order. */
  readonly written: string[] = [];
  writeRequests = 0;
  /** Answer CREATE statements 403, as InfluxDB does for a user without admin rights. */
  refuseAdmin = false;
  private readonly hanging: ServerResponse[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    if (path === '/ping') return res.writeHead(204).end();
    if (path === '/query') {
      const q = new URLSearchParams(body).get('q') ?? new URL(req.url ?? '', 'http://x').searchParams.get('q') ?? '';
      if (this.refuseAdmin && /^\s*create/i.test(q)) {
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: `error authorizing query: zy not authorized to execute statement '${q}', requires admin privilege` }));
      }
      // Schema statements and rollup recomputations: all fine, nothing to show.
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ results: [{ statement_id: 0 }] }));
    }
    if (path === '/write') {
      this.writeRequests++;
      const a = this.answer(body);
      if (a === 'hang') {
        this.hanging.push(res);
        return;
      }
      if (a.status === 204) this.written.push(body);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      return res.end(a.body ?? '');
    }
    res.writeHead(404).end();
  }

  lines(): string[] {
    return this.written.flatMap((b) => b.split('\n'));
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('InfluxDB adapter: what it does with each kind of answer', () => {
  let fake: FakeInflux;
  let dir: string;
  let store: InfluxTimeSeriesStore;
  let dropped: Array<[number, DropReason]>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zhuyun-influx-faults-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  beforeEach(async () => {
    fake = new FakeInflux();
    await fake.start();
    dropped = [];
    store = new InfluxTimeSeriesStore({
      url: fake.url,
      database: 'zhuyun',
      outboxPath: join(dir, `outbox-${++n}.sqlite`),
      backoffMs: { min: 20, max: 100 },
      writeTimeoutMs: 300,
      maxBacklogPoints: 1_000,
      onDropped: (count, reason) => dropped.push([count, reason]),
    });
    await store.ready();
  });
  afterEach(async () => {
    fake.answer = () => ({ status: 204 });
    await store.close();
    await fake.stop();
  });

  const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const pts = (count: number, from = 0, node = 'f1'): Point[] =>
    Array.from({ length: count }, (_, i) => ({ metric: 'net.up', ts: t0 + (from + i) * 1000, value: from + i, tags: { district: '520103', unit: '520103', node } }));
  const line = (i: number, node = 'f1') => `net.up,district=520103,node=${node},unit=520103 value=${i} ${t0 + i * 1000}`;

  async function drained(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (store.backlog > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(store.backlog).toBe(0);
  }

  it('5xx: the points wait in the outbox (write resolves), then go in order once InfluxDB takes them', async () => {
    fake.answer = () => ({ status: 500, body: '{"error":"engine: cache maximum memory size exceeded"}' });
    await store.write(pts(3, 0));
    await store.write(pts(2, 3));
    expect(store.backlog).toBe(5);
    const h = await store.health();
    expect(h).toMatchObject({ ok: true, backlog: 5 });
    expect(h.error).toMatch(/answered 500/);
    fake.answer = () => ({ status: 204 });
    await drained();
    expect(fake.lines()).toEqual([0, 1, 2, 3, 4].map((i) => line(i)));
    expect(dropped).toEqual([]);
  });

  it('no answer within the timeout counts as unavailable: outbox, then delivered', async () => {
    fake.answer = () => 'hang';
    await store.write(pts(4));
    expect(store.backlog).toBe(4);
    fake.answer = () => ({ status: 204 });
    await drained();
    expect(fake.lines()).toEqual([0, 1, 2, 3].map((i) => line(i)));
  });

  it('credentials refused (401) is not the points\' fault: they wait, and health says why', async () => {
    fake.answer = () => ({ status: 401, body: '{"error":"authorization failed"}' });
    await store.write(pts(2));
    expect(store.backlog).toBe(2);
    expect((await store.health()).error).toMatch(/credentials/);
    expect(dropped).toEqual([]);
    fake.answer = () => ({ status: 204 });
    await drained();
  });

  it('4xx with a partial write: counted as dropped, never retried', async () => {
    fake.answer = () => ({ status: 400, body: '{"error":"partial write: field type conflict: input field \\"value\\" on measurement \\"net.up\\" is type float, already exists as type integer dropped=3"}' });
    await store.write(pts(5));
    expect(dropped).toEqual([[3, 'rejected']]);
    expect(store.backlog).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.writeRequests).toBe(1);
    expect((await store.health()).error).toBeUndefined();
  });

  it('413 (body over the server limit): sent again in halves', async () => {
    fake.answer = (body) => (body.split('\n').length > 2 ? { status: 413, body: '{"error":"Request Entity Too Large"}' } : { status: 204 });
    await store.write(pts(7));
    expect(fake.lines()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => line(i)));
    expect(fake.written.every((b) => b.split('\n').length <= 2)).toBe(true);
    expect(store.backlog).toBe(0);
  });

  it('while anything waits, later writes queue behind it even when InfluxDB answers again', async () => {
    let fail = true;
    fake.answer = () => (fail ? { status: 503 } : { status: 204 });
    await store.write(pts(2, 0, 'a'));
    fail = false;
    // InfluxDB is back, but the outbox is not empty yet: this write must not overtake it.
    await store.write(pts(2, 0, 'b'));
    await drained();
    expect(fake.lines()).toEqual([line(0, 'a'), line(1, 'a'), line(0, 'b'), line(1, 'b')]);
  });

  it('a schema setup InfluxDB refuses (no admin rights) does not stop the writes; health says why', async () => {
    await store.close();
    fake.refuseAdmin = true;
    store = new InfluxTimeSeriesStore({ url: fake.url, database: 'zhuyun', outboxPath: join(dir, `outbox-${++n}.sqlite`), username: 'zy', password: 'pw' });
    await expect(store.ready()).rejects.toThrow(/requires admin privilege/);
    await store.write(pts(3));
    expect(fake.lines()).toEqual([0, 1, 2].map((i) => line(i)));
    expect(store.backlog).toBe(0);
    expect(await store.health()).toMatchObject({ ok: true, error: expect.stringMatching(/requires admin privilege/) });
  });

  it('a full outbox refuses the write (nothing acknowledged) and reports not ok', async () => {
    fake.answer = () => ({ status: 503 });
    await store.write(pts(900));
    await expect(store.write(pts(200, 900))).rejects.toThrow(/outbox is full/);
    expect(store.backlog).toBe(900);
    await store.write(pts(100, 900));
    expect((await store.health()).ok).toBe(false);
    fake.answer = () => ({ status: 204 });
    await drained();
    expect((await store.health()).ok).toBe(true);
  });
});
