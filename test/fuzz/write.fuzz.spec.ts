// Hostile input on POST /write (InfluxDB 1.x line protocol) against a real server: good lines
// mixed with arbitrary ones, escapes, precisions, odd query strings. Never a 5xx; the good lines
// are stored; anything refused is reported InfluxDB's way (400 "partial write: … dropped=n" or
// "unable to parse"), in InfluxDB's error shape {"error": "..."}.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../support/server.js';
import { FUZZ_TIMEOUT, expectAlive, expectNot5xx, nastyString, params, readBody, replaying, runs } from './fuzz.support.js';

const COLLECTOR = 'fuzz-telegraf-01';
let server: TestServer;
let token: string;
let tsdb: Database.Database;

beforeAll(async () => {
  // A new node name per generated point: the cardinality limits (test/e2e/cardinality.spec.ts) out of the way.
  server = await startTestServer({ LOG_LEVEL: 'error', ZHUYUN_INGEST_RATE: '1000000', ZHUYUN_MAX_NODES_PER_UNIT: '1000000', ZHUYUN_MAX_NODES_PER_COLLECTOR: '1000000', ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '100000000' });
  token = await server.addCollector(COLLECTOR, '520103');
  await write(`boot,district=520103,node=boot v=1 ${Date.now() - 1000}`, { precision: 'ms' });
  tsdb = new Database(join(server.dataDir, 'tsdb.sqlite'), { readonly: true });
});
afterAll(async () => {
  tsdb?.close();
  await server.close();
});

function write(body: string | Uint8Array, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const q = new URLSearchParams({ db: 'zhuyun', ...query });
  return fetch(`${server.url}/write?${q}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${COLLECTOR}:${token}`).toString('base64')}`, ...headers },
    body: body as BodyInit,
  });
}

/** 204 with no body, or a 4xx with InfluxDB's {"error": "..."}; never 5xx. */
async function check(res: Response, what: string): Promise<{ status: number; error?: string }> {
  const body = await readBody(res);
  expectNot5xx(res.status, body, what);
  if (res.status === 204) return { status: 204 };
  if (res.status < 400 || typeof (body as { error?: unknown })?.error !== 'string') {
    throw new Error(`${what}: ${res.status} not InfluxDB-shaped: ${JSON.stringify(body)?.slice(0, 300)}`);
  }
  return { status: res.status, error: (body as { error: string }).error };
}

// InfluxDB unescapes only `\,` `\=` `\ ` in tag values (a backslash elsewhere is kept as is, as
// here); generated values hold no backslash so that the expected value is unambiguous.
const escTag = (s: string) => s.replace(/([ ,=])/g, '\\$1');
const PRECISIONS = { ms: 1, s: 1000, u: 1e-3, us: 1e-3, n: 1e-6, ns: 1e-6 } as const;
const WINDOW_MS = 10_000;
const windowBase = Math.floor((Date.now() - 5 * 24 * 3_600_000) / WINDOW_MS) * WINDOW_MS;
let windowIndex = 0;

/** A line that must be stored: unique node, a tag value with every escape, one numeric field. */
const goodLine = fc.record({
  target: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !/[\n\r\\]/.test(s)),
  field: fc.constantFrom('latency_ms', 'loss_pct', 'v', 'a_b'),
  value: fc.oneof(fc.integer({ min: -1e9, max: 1e9 }).map((n) => [`${n}i`, n] as const), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((d) => [String(d), d] as const), fc.constantFrom(['true', 1] as const, ['F', 0] as const)),
  offset: fc.integer({ min: 0, max: WINDOW_MS / 1000 - 1 }),
});

const badLine = fc.oneof(
  nastyString(80),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.constantFrom(
    'net,district=520103,node=x latency_ms=',
    'net,district=520103,node=x',
    'net,district=999999,node=x v=1',
    'net,district=520103,node=x status="ok"',
    'net,district=520103,node=x v=1 notatime',
    'net,district=520103,node=x v=1 99999999999999999999999999',
    'net,district=520103,node=x v=1e999',
    'net,district=520103,node=x v=NaN',
    'net,district=520103,node=bad\\ node v=1',
    'net,district=520103,node=x,district=520102 v=1',
    'net,district=520103,node=x v=1,v=2',
    'net\\,x,district=520103,node=x v=1',
    ',district=520103,node=x v=1',
    'net,=1,node=x v=1',
    'net,district=520103,node=x v="unterminated',
    'net,district=520103,node=x v=1i2',
    'net,district=520103,node=x v=-9223372036854775809i',
    `net,district=520103,node=x,t=${'y'.repeat(10_000)} v=1`,
    'net,district=520103,node=x v=1 -1',
    'net,district=520103,node=x __proto__=1',
    'net,__proto__=a,district=520103,node=x v=1',
    '   ',
    '#',
  ),
).map((s) => s.replace(/[\r\n]/g, ' '));

describe('POST /write under hostile input', () => {
  it('mixed good and bad lines: never 5xx, good lines stored, refusals reported as InfluxDB does', async () => {
    const seen = { partial: 0, clean: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 2, arbitrary: goodLine.map((g) => ({ good: g })) }, badLine.map((b) => ({ bad: b }))), { maxLength: 10 }),
        fc.constantFrom<keyof typeof PRECISIONS>('ms', 'ms', 's', 'u', 'us', 'n', 'ns'),
        fc.constantFrom('\n', '\r\n', '\n\n'),
        fc.boolean(),
        async (items, precision, eol, gzip) => {
          const base = windowBase + windowIndex++ * WINDOW_MS;
          const good: Array<{ node: string; ts: number; value: number; target: string }> = [];
          // A string field may span lines until its quote closes, as in InfluxDB: a bad line with an
          // odd number of quotes goes last, so that it cannot take good lines into its string.
          const odd = (it: (typeof items)[number]) => 'bad' in it && (it.bad.match(/"/g)?.length ?? 0) % 2 === 1;
          items = [...items.filter((it) => !odd(it)), ...items.filter(odd)];
          const lines = items.map((it, i) => {
            if ('bad' in it) return it.bad;
            const g = it.good;
            const node = `lp-${windowIndex}-${i}`;
            const ms = base + g.offset * 1000;
            const ts = precision === 's' ? ms / 1000 : ms / PRECISIONS[precision];
            good.push({ node, ts: ms, value: g.value[1], target: g.target });
            return `fz,district=520103,node=${node},target=${escTag(g.target)} ${g.field}=${g.value[0]} ${BigInt(ts)}`;
          });
          const text = lines.join(eol);
          const res = await write(gzip ? gzipSync(text) : text, { precision }, gzip ? { 'content-encoding': 'gzip' } : {});
          const { status, error } = await check(res, `precision=${precision} body=${JSON.stringify(text).slice(0, 600)}`);
          for (const g of good) {
            const row = tsdb
              .prepare("SELECT p.value, s.tags FROM points p JOIN series s ON s.id = p.series_id WHERE s.node = ? AND p.ts = ?")
              .get(g.node, g.ts) as { value: number; tags: string } | undefined;
            if (!row) throw new Error(`good line not stored (${status} ${error}): node=${g.node}: ${text.slice(0, 600)}`);
            expect(row.value + 0).toBe(g.value + 0); // -0 and 0 are one value on the wire
            expect(JSON.parse(row.tags).target).toBe(g.target);
          }
          if (status === 204) {
            seen.clean++;
            return;
          }
          if (good.length) {
            expect(status).toBe(400);
            expect(error).toMatch(/^partial write: [^]* dropped=[1-9]\d*$/);
            seen.partial++;
          } else {
            expect([400, 413]).toContain(status);
          }
        },
      ),
      params(1000),
    );
    if (!replaying()) expect(seen.partial).toBeGreaterThan(runs(1000) / 10);
    if (!replaying()) expect(seen.clean).toBeGreaterThan(runs(1000) / 10);
    await expectAlive(server.url);
  }, FUZZ_TIMEOUT);

  // Found by fuzzing: accepted with 204 and stored without its __proto__ tag.
  it('a __proto__ tag is refused, not dropped in silence', async () => {
    const ts = Date.now() - 5_000;
    const { status, error } = await check(await write(`net,__proto__=a,district=520103,node=proto-1 v=1 ${ts}`, { precision: 'ms' }), 'proto');
    expect(status).toBe(400);
    expect(error).toMatch(/^partial write: line 1, field "v": tag key "__proto__" is reserved dropped=1$/);
    expect(tsdb.prepare("SELECT count(*) n FROM series WHERE node = 'proto-1'").get()).toEqual({ n: 0 });
  });

  it('arbitrary query strings and bodies: never 5xx', async () => {
    const qs = fc.array(fc.tuple(fc.oneof(fc.constantFrom('db', 'precision', 'u', 'p', 'rp', 'consistency', 'db[]', 'precision[x]'), nastyString(5)), fc.oneof(fc.constantFrom('zhuyun', 'ms', 's', 'h', 'm', 'x', '', COLLECTOR), nastyString(20))), { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(qs, fc.oneof(nastyString(200), fc.uint8Array({ maxLength: 200 })), fc.constantFrom('basic', 'query', 'none', 'bad'), async (pairs, body, auth) => {
        const enc = (s: string) => encodeURIComponent(Buffer.from(s).toString()) /* lone surrogates → U+FFFD */;
        const q = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`);
        if (auth === 'query') q.push(`u=${COLLECTOR}`, `p=${encodeURIComponent(token)}`);
        const headers: Record<string, string> = {};
        if (auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${COLLECTOR}:${token}`).toString('base64')}`;
        if (auth === 'bad') headers.authorization = `Basic ${Buffer.from(String(body).slice(0, 20)).toString('base64')}`;
        const res = await fetch(`${server.url}/write?${q.join('&')}`, { method: 'POST', headers, body: body as BodyInit });
        await check(res, `query ${q.join('&')}`);
      }),
      params(500),
    );
    await expectAlive(server.url);
  }, FUZZ_TIMEOUT);
});
