// POST /write (InfluxDB 1.x line protocol) against a real server on port 0: what lands is read
// back through GET /api/v1/series, as a dashboard would see it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InfluxDB } from 'influx';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let token: string;
const COLLECTOR = 'telegraf-yunyan-01';

beforeAll(async () => {
  server = await startTestServer();
  token = await server.addCollector(COLLECTOR, '520103');
});
afterAll(() => server.close());

interface WriteOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  auth?: 'none' | 'query' | 'basic' | 'token' | 'bearer';
}

function write(body: string | Uint8Array, opts: WriteOptions = {}) {
  const query = new URLSearchParams({ db: 'zhuyun', ...opts.query });
  const headers: Record<string, string> = { ...opts.headers };
  switch (opts.auth ?? 'basic') {
    case 'query':
      query.set('u', COLLECTOR);
      query.set('p', token);
      break;
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(`${COLLECTOR}:${token}`).toString('base64')}`;
      break;
    case 'token':
      headers.authorization = `Token ${token}`;
      break;
    case 'bearer':
      headers.authorization = `Bearer ${token}`;
      break;
  }
  return fetch(`${server.url}/write?${query}`, { method: 'POST', headers, body: body as BodyInit });
}

/** The raw points of one series, `[ts, value]`, from the query API. */
async function series(metric: string, node: string, from = Date.now() - 3 * 3_600_000) {
  const res = await server.api(`/api/v1/series?metric=${metric}&node=${node}&from=${from}&to=${Date.now() + 60_000}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { step: string; series: Array<{ tags: Record<string, string>; points: number[][] }> };
  expect(body.step).toBe('raw');
  return body.series;
}

async function expectNoContent(res: Response) {
  if (res.status !== 204) throw new Error(`expected 204, got ${res.status} ${await res.text()}`);
  expect(await res.text()).toBe('');
  expect(res.headers.get('x-influxdb-version')).toMatch(/^1\./);
}

const tags = (node: string) => `district=520103,node=${node}`;

describe('POST /write', () => {
  describe('lands points with the timestamp of each precision', () => {
    // Two minutes ago, with sub-millisecond digits that must be rounded down.
    const base = Date.now() - 120_000;
    const cases: Array<[string, string, number]> = [
      ['(none: ns)', `${base}123456`, base],
      ['n', `${base}999999`, base],
      ['ns', `${base}000001`, base],
      ['u', `${base}999`, base],
      ['us', `${base}001`, base],
      ['ms', `${base}`, base],
      ['s', `${Math.floor(base / 1000)}`, Math.floor(base / 1000) * 1000],
      ['m', `${Math.floor(base / 60_000)}`, Math.floor(base / 60_000) * 60_000],
      ['h', `${Math.floor(base / 3_600_000)}`, Math.floor(base / 3_600_000) * 3_600_000],
    ];
    it.each(cases)('precision %s', async (precision, ts, expected) => {
      const node = `prec-${precision.replace(/\W/g, '')}`;
      const query: Record<string, string> = precision.startsWith('(') ? {} : { precision };
      await expectNoContent(await write(`net,${tags(node)} latency_ms=12.5,loss_pct=0i ${ts}\n`, { query }));
      expect((await series('net.latency_ms', node))[0].points).toEqual([[expected, 12.5]]);
      expect((await series('net.loss_pct', node))[0].points).toEqual([[expected, 0]]);
    });
  });

  it('gives a line without timestamp the server time', async () => {
    const before = Date.now();
    await expectNoContent(await write(`net,${tags('no-ts')} up=true`));
    const [[ts, value]] = (await series('net.up', 'no-ts'))[0].points;
    expect(value).toBe(1);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
  });

  it('writes several lines and fields, skipping comments and blank lines', async () => {
    const t = Date.now() - 60_000;
    const body = [
      '# host metrics, as Telegraf writes them',
      `host,${tags('multi')} cpu_pct=12.5,mem_pct=40i,disk_pct=71u ${t}`,
      '',
      `host,${tags('multi')} cpu_pct=13.5 ${t + 10_000}`,
      '',
    ].join('\n');
    await expectNoContent(await write(body, { query: { precision: 'ms' } }));
    expect((await series('host.cpu_pct', 'multi'))[0].points).toEqual([[t, 12.5], [t + 10_000, 13.5]]);
    expect((await series('host.mem_pct', 'multi'))[0].points).toEqual([[t, 40]]);
    expect((await series('host.disk_pct', 'multi'))[0].points).toEqual([[t, 71]]);
  });

  it('round-trips escaped tag values', async () => {
    const t = Date.now() - 30_000;
    await expectNoContent(await write(`net,${tags('esc-1')},target=city\\ core\\,east\\=1,path=C:\\data latency_ms=3 ${t}`, { query: { precision: 'ms' } }));
    const [s] = await series('net.latency_ms', 'esc-1');
    expect(s.tags).toMatchObject({ district: '520103', node: 'esc-1', target: 'city core,east=1', path: 'C:\\data' });
    expect(s.points).toEqual([[t, 3]]);
  });

  it('keeps apart series whose tag values hold escaped , and = (issue 13 item 10)', async () => {
    const t = Date.now() - 30_000;
    const body = [`net,${tags('esc-2')},target=x,u2=y latency_ms=1 ${t}`, `net,${tags('esc-2')},target=x\\,u2\\=y latency_ms=2 ${t}`].join('\n');
    await expectNoContent(await write(body, { query: { precision: 'ms' } }));
    const got = await series('net.latency_ms', 'esc-2');
    expect(got).toHaveLength(2);
    expect(got).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tags: expect.objectContaining({ target: 'x', u2: 'y' }), points: [[t, 1]] }),
        expect.objectContaining({ tags: expect.not.objectContaining({ u2: expect.anything() }), points: [[t, 2]] }),
      ]),
    );
    expect(got.find((s) => s.points[0][1] === 2)!.tags.target).toBe('x,u2=y');
  });

  it('takes host as the node when there is no node tag (Telegraf)', async () => {
    const t = Date.now() - 30_000;
    await expectNoContent(await write(`host,district=520103,host=yy-web-7 cpu_pct=55 ${t}`, { query: { precision: 'ms' } }));
    const [s] = await series('host.cpu_pct', 'yy-web-7');
    expect(s.tags).toMatchObject({ node: 'yy-web-7', host: 'yy-web-7' });
  });

  it('takes a gzip body and any content type', async () => {
    const t = Date.now() - 30_000;
    const body = gzipSync(`net,${tags('gz-1')} jitter_ms=2.5 ${t}\n`);
    await expectNoContent(await write(body, { query: { precision: 'ms' }, headers: { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' } }));
    await expectNoContent(await write(`net,${tags('gz-1')} jitter_ms=3.5 ${t + 1000}`, { query: { precision: 'ms' }, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect((await series('net.jitter_ms', 'gz-1'))[0].points).toEqual([[t, 2.5], [t + 1000, 3.5]]);
  });

  it('answers 204 to an empty body, as InfluxDB does', async () => {
    await expectNoContent(await write(''));
    await expectNoContent(await write('# nothing but a comment\n\n'));
  });

  describe('refusals: the good points are kept, the answer is InfluxDB-style', () => {
    it('partial write: a malformed line among good ones', async () => {
      const t = Date.now() - 30_000;
      const res = await write([`net,${tags('part-1')} latency_ms=1 ${t}`, `net,${tags('part-1')} latency_ms= ${t + 1000}`, `net,${tags('part-1')} latency_ms=3 ${t + 2000}`].join('\n'), { query: { precision: 'ms' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: `partial write: unable to parse 'net,${tags('part-1')} latency_ms= ${t + 1000}': missing field value dropped=1` });
      expect((await series('net.latency_ms', 'part-1'))[0].points).toEqual([[t, 1], [t + 2000, 3]]);
    });

    it('a string field is refused, the numbers of its line are kept', async () => {
      const t = Date.now() - 30_000;
      const res = await write(`app,${tags('str-1')} status="ok",latency_ms=7,up=t ${t}`, { query: { precision: 'ms' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'partial write: line 1: input field "status" on measurement "app" is type string: only numbers and booleans are stored dropped=1' });
      expect((await series('app.latency_ms', 'str-1'))[0].points).toEqual([[t, 7]]);
      expect((await series('app.up', 'str-1'))[0].points).toEqual([[t, 1]]);
    });

    it('points the shared ingest path rejects: unknown district, far future, bad metric name', async () => {
      const t = Date.now() - 30_000;
      const body = [
        `net,${tags('val-1')} latency_ms=1 ${t}`,
        `net,district=999999,node=val-1 latency_ms=2 ${t}`,
        `net,${tags('val-1')} latency_ms=3 ${Date.now() + 3_600_000}`,
        `Net,${tags('val-1')} latency_ms=4 ${t}`,
      ].join('\n');
      const res = await write(body, { query: { precision: 'ms' } });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(/^partial write: line 2, field "latency_ms": unknown district "999999".* dropped=3$/);
      expect((await series('net.latency_ms', 'val-1'))[0].points).toEqual([[t, 1]]);
    });

    it('nothing parses: unable to parse, nothing stored', async () => {
      const res = await write(`net,${tags('bad-1')} latency_ms=1.2.3\nnet,${tags('bad-1')}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: `unable to parse 'net,${tags('bad-1')} latency_ms=1.2.3': invalid number: 1.2.3 (field "latency_ms")` });
      expect(await series('net.latency_ms', 'bad-1')).toEqual([]);
    });

    it('a line of only string fields is a partial write, not a parse error', async () => {
      const res = await write(`app,${tags('str-2')} version="1.2"`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^partial write: line 1: input field "version".* dropped=1$/);
    });

    it('an unknown precision', async () => {
      const res = await write(`net,${tags('p-1')} latency_ms=1`, { query: { precision: 'd' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid precision "d" (use n, ns, u, us, ms, s, m or h)' });
    });

    it('a body over the size limit: 413 as InfluxDB words it', async () => {
      const res = await write(`net,${tags('big')} latency_ms=1 ${'0'.repeat(9 * 1024 * 1024)}`);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: 'Request Entity Too Large' });
    });

    it('a body that says gzip and is not', async () => {
      const res = await write('net latency_ms=1', { headers: { 'content-encoding': 'gzip' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^gzip: /);
    });
  });

  describe('credentials and database', () => {
    it.each(['query', 'basic', 'token', 'bearer'] as const)('accepts the token by %s', async (auth) => {
      const t = Date.now() - 30_000;
      await expectNoContent(await write(`net,${tags(`auth-${auth}`)} latency_ms=1 ${t}`, { auth, query: { precision: 'ms' } }));
      expect(await series('net.latency_ms', `auth-${auth}`)).toHaveLength(1);
    });

    it('accepts Token <user>:<token> (the InfluxDB 2.x compatibility form) and p without u', async () => {
      await expectNoContent(await write(`net,${tags('auth-tk2')} latency_ms=1`, { auth: 'none', headers: { authorization: `Token ${COLLECTOR}:${token}` } }));
      await expectNoContent(await write(`net,${tags('auth-p')} latency_ms=1`, { auth: 'none', query: { p: token } }));
    });

    const refused: Array<[string, WriteOptions]> = [
      ['no credentials', { auth: 'none' }],
      ['an unknown token', { auth: 'none', query: { u: COLLECTOR, p: 'zy_nope' } }],
      ['Basic with an empty password', { auth: 'none', headers: { authorization: `Basic ${Buffer.from(`${COLLECTOR}:`).toString('base64')}` } }],
      ['Basic with a wrong password', { auth: 'none', headers: { authorization: `Basic ${Buffer.from(`${COLLECTOR}:zy_wrong`).toString('base64')}` } }],
      ['an unknown scheme', { auth: 'none', headers: { authorization: `Digest ${token}` } }],
    ];
    it.each(refused)('401 for %s, nothing stored', async (_name, opts) => {
      const res = await write(`net,${tags('auth-no')} latency_ms=1`, opts);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await res.json()).toEqual({ error: 'authorization failed' });
      expect(await series('net.latency_ms', 'auth-no')).toEqual([]);
    });

    it('401 for a username that is not the collector of the token', async () => {
      const other = await server.addCollector('telegraf-huaxi-01', '520111');
      const res = await write('net latency_ms=1', { auth: 'none', query: { u: COLLECTOR, p: other } });
      expect(res.status).toBe(401);
    });

    it('401 for a revoked token', async () => {
      const t = await server.addCollector('telegraf-short-lived', '520102');
      const { CollectorTokensService } = await import('../../server/src/auth/collector-tokens.service.js');
      await server.app.get(CollectorTokensService).revoke('telegraf-short-lived');
      const res = await write('net latency_ms=1', { auth: 'none', headers: { authorization: `Token ${t}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'authorization failed' });
    });

    it('404 for another database, 400 for none', async () => {
      const res = await write(`net,${tags('db-1')} latency_ms=1`, { query: { db: 'telegraf' } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'database not found: "telegraf"' });
      const none = await fetch(`${server.url}/write`, { method: 'POST', headers: { authorization: `Token ${token}` }, body: 'net latency_ms=1' });
      expect(none.status).toBe(400);
      expect(await none.json()).toEqual({ error: 'database is required' });
    });
  });
});

describe('requests exactly as Telegraf outputs.influxdb sends them', () => {
  const basic = () => `Basic ${Buffer.from(`${COLLECTOR}:${token}`).toString('base64')}`;

  it('CREATE DATABASE as a form at start', async () => {
    const res = await fetch(`${server.url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(), 'user-agent': 'Telegraf/1.30.0 Go/1.22.1' },
      body: new URLSearchParams({ q: 'CREATE DATABASE "zhuyun"' }).toString(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ results: [{ statement_id: 0 }] });
  });

  it('a gzip batch with consistency and rp, host tag, integers, nanosecond timestamps', async () => {
    const t = Date.now() - 20_000;
    const body = [
      `host,district=520103,host=yy-tg-1 cpu_pct=12.5,mem_pct=61i ${t}000000`,
      `net,district=520103,host=yy-tg-1,target=city-core latency_ms=4.25,up=true ${t}000000`,
      '',
    ].join('\n');
    const res = await fetch(`${server.url}/write?consistency=any&db=zhuyun&rp=autogen`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip', authorization: basic(), 'user-agent': 'Telegraf/1.30.0 Go/1.22.1' },
      body: gzipSync(body),
    });
    await expectNoContent(res);
    expect((await series('host.mem_pct', 'yy-tg-1'))[0].points).toEqual([[t, 61]]);
    const [up] = await series('net.up', 'yy-tg-1');
    expect(up.tags).toMatchObject({ district: '520103', node: 'yy-tg-1', host: 'yy-tg-1', target: 'city-core' });
    expect(up.points).toEqual([[t, 1]]);
  });
});

describe('/ping and /query', () => {
  it('answers GET and HEAD /ping with 204 and the version header, without credentials', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${server.url}/ping`, { method });
      expect(res.status).toBe(204);
      expect(res.headers.get('x-influxdb-version')).toMatch(/^1\.\d+\.\d+/);
    }
    const verbose = await fetch(`${server.url}/ping?verbose=true`);
    expect(verbose.status).toBe(200);
    expect(await verbose.json()).toEqual({ version: expect.stringMatching(/^1\./) });
  });

  it('answers what Telegraf sends at start: CREATE DATABASE, and SHOW DATABASES', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`${COLLECTOR}:${token}`).toString('base64')}` };
    const q = (s: string, method = 'POST') => fetch(`${server.url}/query?${new URLSearchParams({ q: s })}`, { method, headers: auth });
    const create = await q('CREATE DATABASE "zhuyun"');
    expect(create.status).toBe(200);
    expect(await create.json()).toEqual({ results: [{ statement_id: 0 }] });
    expect(await (await q('SHOW DATABASES', 'GET')).json()).toEqual({
      results: [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [['zhuyun']] }] }],
    });
    const other = (await (await q('CREATE DATABASE telegraf; SELECT * FROM cpu')).json()) as { results: Array<{ error?: string }> };
    expect(other.results.map((r) => r.error)).toEqual([expect.stringMatching(/cannot be created/), expect.stringMatching(/GET \/api\/v1\/series/)]);
    const anonymous = await fetch(`${server.url}/query?q=SHOW%20DATABASES`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'authorization failed' });
  });
});

describe('the influx npm client (node-influx 5)', () => {
  it('pings, creates the database and writes points that land', async () => {
    const port = Number(new URL(server.url).port);
    const influx = new InfluxDB({ host: '127.0.0.1', port, database: 'zhuyun', username: COLLECTOR, password: token });
    const [ping] = await influx.ping(5_000);
    expect(ping.online).toBe(true);
    expect(ping.version).toMatch(/^1\./);
    await influx.createDatabase('zhuyun');
    expect(await influx.getDatabaseNames()).toEqual(['zhuyun']);

    const t = Date.now() - 60_000;
    await influx.writePoints([
      { measurement: 'net', tags: { district: '520103', node: 'node-influx-1', target: 'city core' }, fields: { latency_ms: 8.25, up: true }, timestamp: new Date(t) },
      { measurement: 'net', tags: { district: '520103', node: 'node-influx-1', target: 'city core' }, fields: { latency_ms: 9.5, up: false }, timestamp: new Date(t + 10_000) },
    ]);
    const [latency] = await series('net.latency_ms', 'node-influx-1');
    expect(latency.tags).toMatchObject({ district: '520103', unit: '520103', node: 'node-influx-1', target: 'city core' });
    expect(latency.points).toEqual([[t, 8.25], [t + 10_000, 9.5]]);
    expect((await series('net.up', 'node-influx-1'))[0].points).toEqual([[t, 1], [t + 10_000, 0]]);
  });

  it('rejects with the server error for a refused write', async () => {
    const port = Number(new URL(server.url).port);
    const influx = new InfluxDB({ host: '127.0.0.1', port, database: 'zhuyun', username: COLLECTOR, password: 'zy_wrong' });
    await expect(influx.writePoints([{ measurement: 'net', tags: { district: '520103', node: 'x' }, fields: { latency_ms: 1 } }])).rejects.toThrow(/authorization failed/);
  });
});
