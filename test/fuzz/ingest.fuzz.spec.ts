// Hostile input on POST /api/v1/ingest against a real server (real SQLite file): arbitrary JSON,
// near-valid batches, broken raw text, bodies that claim gzip. Never a 5xx, never a crash; a
// batch-shaped body is answered 202 with accepted + rejected = points.length and exactly the
// accepted points are stored; anything else is a 4xx with {error:{code,message}}.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seriesKey, validatePoint } from '@zhuyun/protocol';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../support/server.js';
import { FUZZ_TIMEOUT, expectAlive, expectApiError, expectNot5xx, nastyString, params, readBody, replaying, runs } from './fuzz.support.js';

const COLLECTOR = 'fuzz-edge-01';
let server: TestServer;
let token: string;
let tsdb: Database.Database;

beforeAll(async () => {
  // A new node name per generated point: the cardinality limits (test/e2e/cardinality.spec.ts) out of the way.
  server = await startTestServer({ LOG_LEVEL: 'error', ZHUYUN_INGEST_RATE: '1000000', ZHUYUN_MAX_NODES_PER_UNIT: '1000000', ZHUYUN_MAX_NODES_PER_COLLECTOR: '1000000', ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '100000000' });
  // Every unit: the points name several (hostile input is the subject here, not a collector's units).
  token = await server.addCollector(COLLECTOR, '520103', '*');
  await post('{}', {}); // creates the store's tables before the file is opened read-only
  tsdb = new Database(join(server.dataDir, 'tsdb.sqlite'), { readonly: true });
});
afterAll(async () => {
  tsdb?.close();
  await server.close();
});

function post(body: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: body as BodyInit,
  });
}

/** The answer to any body: a 202 ingest result or a 4xx API error; never 5xx. */
async function check(res: Response, what: string): Promise<{ status: number; body: unknown }> {
  const body = await readBody(res);
  expectNot5xx(res.status, body, what);
  if (res.status !== 202) {
    if (res.status < 400) throw new Error(`${what}: unexpected ${res.status}`);
    expectApiError(res.status, body, what);
  }
  return { status: res.status, body };
}

// Each near-valid batch owns a window of timestamps no other batch uses, so what lands in the
// window is what this batch stored.
const WINDOW_MS = 1_000;
const windowBase = Date.now() - 10 * 24 * 3_600_000;
let windowIndex = 0;

const METRICS = ['net.latency_ms', 'net.loss_pct', 'host.cpu_pct', 'app.http_5xx', 'a', 'x.y_z'];
const DISTRICTS = ['520103', '520102', '520111', 'gy-hitech', '520114'];

/** A point, every field either valid or mutated in a way the wire allows. */
const pointArb = fc.record({
  metric: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...METRICS) }, nastyString(300), fc.constant(undefined), fc.integer()),
  tsOffset: fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 0, max: WINDOW_MS - 1 }) }, fc.constant(-1)),
  ts: fc.constantFrom<unknown>(undefined, 1.5, -1, 0, 1e308, Number.MAX_SAFE_INTEGER + 2, 'NaN', '1700000000000', null, true, [], {}),
  value: fc.oneof(
    { weight: 30, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    fc.constantFrom<unknown>('NaN', 'Infinity', '-Infinity', '1', null, true, false, 1e308, -1e308, 5e-324, -0, [], {}, undefined),
  ),
  district: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...DISTRICTS) }, nastyString(), fc.constant(undefined)),
  unit: fc.option(fc.oneof(fc.constantFrom('gy-hitech', '520103', 'gy-shuanglong'), nastyString()), { freq: 10, nil: undefined }),
  node: fc.oneof({ weight: 30, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/) }, nastyString(200), fc.constant(undefined), fc.integer()),
  extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, fc.dictionary(
    fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,4}$/), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Target', 'a-b', ''), nastyString(10)),
    fc.oneof(nastyString(), fc.string({ minLength: 100, maxLength: 5_000 }), fc.constantFrom<unknown>(1, null, {}, [])),
    { maxKeys: 4 },
  )),
  tagsShape: fc.constantFrom(...Array(30).fill('object'), 'array', 'null', 'string'),
  shape: fc.constantFrom(...Array(30).fill('object'), 'null', 'array', 'number'),
});

type PointSpec = typeof pointArb extends fc.Arbitrary<infer T> ? T : never;

function buildPoint(s: PointSpec, base: number): unknown {
  if (s.shape === 'null') return null;
  if (s.shape === 'array') return [s.metric, s.value];
  if (s.shape === 'number') return 42;
  const tags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.extra)) Object.defineProperty(tags, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (s.district !== undefined) tags.district = s.district;
  if (s.unit !== undefined) tags.unit = s.unit;
  if (s.node !== undefined) tags.node = s.node;
  const p: Record<string, unknown> = {
    metric: s.metric,
    ts: s.tsOffset >= 0 ? base + s.tsOffset : s.ts,
    value: s.value,
    tags: s.tagsShape === 'object' ? tags : s.tagsShape === 'array' ? [tags] : s.tagsShape === 'null' ? null : 'district=520103',
  };
  return p;
}

const envelopeArb = fc.record({
  collector: fc.oneof({ weight: 10, arbitrary: fc.constant(COLLECTOR) }, fc.constantFrom<unknown>('other-01', '', null, 7, 'fuzz edge 01')),
  batch: fc.oneof({ weight: 10, arbitrary: fc.constant('ok') }, fc.constantFrom<unknown>('', null, 1, 'x'.repeat(201), [])),
  pointsShape: fc.constantFrom('array', 'array', 'array', 'array', 'array', 'array', 'array', 'array', 'object', 'null', 'missing', 'string'),
  points: fc.array(pointArb, { maxLength: 12 }),
  extra: fc.oneof({ weight: 10, arbitrary: fc.constant({}) }, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
});

describe('POST /api/v1/ingest under hostile input', () => {
  it('near-valid batches: 202 with counts that add up and exactly the accepted points stored, or a 4xx', async () => {
    const seen = { batches: 0, stored: 0, partial: 0 };
    await fc.assert(
      fc.asyncProperty(envelopeArb, async (e) => {
        const base = windowBase + windowIndex++ * WINDOW_MS;
        const points = e.points.map((p) => buildPoint(p, base));
        const body: Record<string, unknown> = { ...e.extra, collector: e.collector, batch: e.batch === 'ok' ? `fz-${base}` : e.batch };
        if (e.pointsShape === 'array') body.points = points;
        else if (e.pointsShape === 'object') body.points = { 0: points[0] };
        else if (e.pointsShape === 'null') body.points = null;
        else if (e.pointsShape === 'string') body.points = JSON.stringify(points);
        const text = JSON.stringify(body);
        const { status, body: answer } = await check(await post(text), `batch ${text.slice(0, 400)}`);

        const stored = tsdb.prepare('SELECT count(*) n FROM points WHERE ts >= ? AND ts < ?').get(base, base + WINDOW_MS) as { n: number };
        if (status !== 202) {
          expect(stored.n).toBe(0); // a refused batch stores nothing
          return;
        }
        expect(e.pointsShape).toBe('array');
        seen.batches++;
        const result = answer as { accepted: number; rejected: Array<{ index: number; error: string }> };
        expect(result.accepted + result.rejected.length).toBe(points.length);
        const rejectedIdx = new Set(result.rejected.map((r) => r.index));
        expect(rejectedIdx.size).toBe(result.rejected.length);
        for (const r of result.rejected) expect(typeof r.error === 'string' && r.error.length > 0).toBe(true);

        // Every accepted point is there with its tags and value; nothing else landed in the window.
        const sent = JSON.parse(text).points as unknown[]; // what the server parsed: undefined dropped, -0 → 0
        const keys = new Map<string, number[]>();
        sent.forEach((raw, i) => {
          if (rejectedIdx.has(i)) return;
          const v = validatePoint(raw, Date.now());
          if (!v.ok) throw new Error(`point ${i} reported accepted but invalid: ${v.error}: ${JSON.stringify(raw)}`);
          const given = (raw as { tags: Record<string, string> }).tags;
          for (const k of Object.keys(given)) {
            if (k !== 'district' && k !== 'unit' && v.point.tags[k] !== given[k]) {
              throw new Error(`point ${i} accepted but tag ${JSON.stringify(k)} was not kept: ${JSON.stringify(v.point.tags)}`);
            }
          }
          const key = `${seriesKey(v.point.metric, v.point.tags)}@${v.point.ts}`;
          keys.set(key, [...(keys.get(key) ?? []), v.point.value]);
          const row = tsdb
            .prepare('SELECT p.value, s.tags FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = ? AND p.ts = ?')
            .get(seriesKey(v.point.metric, v.point.tags), v.point.ts) as { value: number; tags: string } | undefined;
          if (!row) throw new Error(`point ${i} reported accepted but not stored: ${JSON.stringify(raw)}`);
          expect(JSON.parse(row.tags)).toEqual(v.point.tags);
          expect(keys.get(key)).toContain(row.value);
        });
        expect(stored.n).toBe(keys.size);
        if (keys.size) seen.stored++;
        if (keys.size && result.rejected.length) seen.partial++;
      }),
      params(1000),
    );
    // The generator reaches the interesting cases: stored batches, and batches partly refused.
    if (!replaying()) expect(seen.stored).toBeGreaterThan(runs(1000) / 10);
    if (!replaying()) expect(seen.partial).toBeGreaterThan(runs(1000) / 20);
    await expectAlive(server.url);
  }, FUZZ_TIMEOUT);

  it('arbitrary JSON values: a 4xx with an error body (or 202 for a batch)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (v) => {
        const text = JSON.stringify(v) ?? 'null';
        await check(await post(text), `json ${text.slice(0, 300)}`);
      }),
      params(400),
    );
    await expectAlive(server.url);
  }, FUZZ_TIMEOUT);

  it('raw text and bytes, near-JSON text, duplicate keys, deep nesting, fake gzip, odd content types', async () => {
    const good = (points: string) => `{"collector":"${COLLECTOR}","batch":"raw-${Math.random()}","points":${points}}`;
    const rawArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => ({ body: s as string | Uint8Array, headers: {} as Record<string, string> })),
      fc.uint8Array({ maxLength: 500 }).map((b) => ({ body: b as string | Uint8Array, headers: {} })),
      // Near-JSON: a valid batch cut short, or with a character swapped.
      fc.tuple(fc.nat(), fc.string({ maxLength: 2 })).map(([n, s]) => {
        const t = good(`[{"metric":"net.latency_ms","ts":${Date.now() - 1000},"value":1,"tags":{"district":"520103","node":"raw"}}]`);
        const at = n % t.length;
        return { body: t.slice(0, at) + s + t.slice(at + 1), headers: {} };
      }),
      // Duplicate keys in the raw text: the last one wins in JSON.parse; the answer must be consistent.
      fc.constantFrom(
        `{"collector":"other","collector":"${COLLECTOR}","batch":"d-${Math.random()}","points":[]}`,
        `{"collector":"${COLLECTOR}","collector":"other","batch":"d","points":[]}`,
        `{"collector":"${COLLECTOR}","batch":"d2-${Math.random()}","points":"x","points":[]}`,
        `{"collector":"${COLLECTOR}","batch":"d3","points":[{"metric":"a","metric":"b b","ts":1,"value":1,"tags":{}}]}`,
        `{"__proto__":{"collector":"${COLLECTOR}"},"batch":"p","points":[]}`,
        `{"constructor":{"prototype":{"x":1}},"collector":"${COLLECTOR}","batch":"c-${Math.random()}","points":[]}`,
      ).map((body) => ({ body, headers: {} })),
      // Deep nesting, in the envelope and in a point.
      fc.integer({ min: 100, max: 50_000 }).map((d) => ({ body: '['.repeat(d) + ']'.repeat(d), headers: {} })),
      fc.integer({ min: 100, max: 20_000 }).map((d) => ({ body: good(`[${'{"a":'.repeat(d)}1${'}'.repeat(d)}]`), headers: {} })),
      // Huge numbers and NaN-like literals JSON does not have.
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999999', '-0', '0x10', '1_000', `${'9'.repeat(5000)}`, 'undefined', 'null', '""', 'true').map((n) => ({
        body: good(`[{"metric":"net.latency_ms","ts":${n},"value":${n},"tags":{"district":"520103","node":"n"}}]`),
        headers: {},
      })),
      // Claims gzip / deflate / br / something else, but is not (or is, of garbage).
      fc.tuple(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-zip', 'gzip, gzip', ''), fc.uint8Array({ maxLength: 200 }), fc.boolean()).map(([enc, b, wrap]) => ({
        body: wrap ? gzipSync(b) : b,
        headers: (enc ? { 'content-encoding': enc } : {}) as Record<string, string>,
      })),
      // Valid JSON under odd content types and charsets.
      fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/*', '').map((ct) => ({
        body: good('[]'),
        headers: { 'content-type': ct },
      })),
    );
    await fc.assert(
      fc.asyncProperty(rawArb, async ({ body, headers }) => {
        const shown = typeof body === 'string' ? body.slice(0, 200) : `bytes ${Buffer.from(body).toString('hex').slice(0, 200)}`;
        await check(await post(body, headers), `raw ${JSON.stringify(headers)} ${shown}`);
      }),
      params(500),
    );
    await expectAlive(server.url);
  }, FUZZ_TIMEOUT);

  // Found by fuzzing: 1e308 answered 500 (toISOString threw); a __proto__ tag was accepted and dropped.
  it('plain examples of what the properties found', async () => {
    const ts = Date.now() - 1_000;
    const batch = (points: string) => `{"collector":"${COLLECTOR}","batch":"ex-${Math.random()}","points":[${points}]}`;
    const huge = await check(await post(batch(`{"metric":"net.latency_ms","ts":1e308,"value":1,"tags":{"district":"520103","node":"ex-1"}}`)), 'huge ts');
    expect(huge.status).toBe(202);
    expect(huge.body).toEqual({ accepted: 0, rejected: [{ index: 0, error: expect.stringMatching(/^ts 1e\+308 is in the future/) }] });
    const proto = await check(await post(batch(`{"metric":"net.latency_ms","ts":${ts},"value":1,"tags":{"district":"520103","node":"ex-2","__proto__":"x"}}`)), 'proto tag');
    expect(proto.body).toEqual({ accepted: 0, rejected: [{ index: 0, error: 'tag key "__proto__" is reserved' }] });
    expect(tsdb.prepare("SELECT count(*) n FROM series WHERE node IN ('ex-1', 'ex-2')").get()).toEqual({ n: 0 });
  });

  it('large bodies: too many points is 413, a body over the limit is 413, long tag values are refused per point', async () => {
    const many = JSON.stringify({ collector: COLLECTOR, batch: 'many', points: Array.from({ length: 10_001 }, () => 0) });
    const r1 = await check(await post(many), 'many points');
    expect(r1.status).toBe(413);
    const big = `{"collector":"${COLLECTOR}","batch":"big","points":[],"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`;
    const r2 = await check(await post(big), 'big body');
    expect(r2.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const r3 = await check(await post(bomb, { 'content-encoding': 'gzip' }), 'gzip bomb');
    expect(r3.status).toBe(413);
    await expectAlive(server.url);
  });
});
