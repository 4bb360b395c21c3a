// Hostile query strings on the read API against a real server: repeated keys, arrays
// (`a[]=`, `a[b]=`), empty values, huge numbers, unicode. Never a 5xx; a refusal is a 4xx with
// {error:{code,message}}.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../support/server.js';
import { FUZZ_TIMEOUT, expectAlive, expectApiError, expectNot5xx, nastyString, params, readBody } from './fuzz.support.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'error' });
  const token = await server.addCollector('fuzz-q-01', '520103');
  const now = Date.now();
  const points = Array.from({ length: 50 }, (_, i) => ({ metric: 'net.latency_ms', ts: now - i * 60_000, value: i, tags: { district: '520103', node: 'q-1' } }));
  await fetch(`${server.url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ collector: 'fuzz-q-01', batch: 'seed', points }),
  });
});
afterAll(() => server.close());

const PATHS = [
  '/api/v1/series',
  '/api/v1/comparison',
  '/api/v1/alerts',
  '/api/v1/alert-rules',
  '/api/v1/silences',
  '/api/v1/districts',
  '/api/v1/sla/services',
  '/api/v1/sla/services/x/minutes',
  '/api/v1/sla/services/x/days',
  '/api/v1/sla/units',
  '/api/v1/sla/contracts',
  '/api/v1/sla/contracts/x/summary',
  '/api/v1/sla/contracts/x/report',
  '/api/v1/migration/systems',
  '/api/v1/migration/systems/export',
  '/api/v1/migration/agencies',
  '/api/v1/migration/summary',
  '/api/v1/migration/monthly',
  '/api/v1/migration/cloud-evidence',
];
const KEYS = ['metric', 'from', 'to', 'step', 'node', 'district', 'unit', 'agg', 'limit', 'offset', 'state', 'severity', 'month', 'year', 'service', 'status', 'q', 'lang', 'sort', 'cursor', 'tags', 'group', 'period', 'by', 'target', 'fields'];
const VALUES = ['net.latency_ms', '520103', 'gy-hitech', '0', '-1', '1e308', '9999999999999999999999', 'NaN', 'Infinity', '1.5', 'now', 'now-1h', '2026-13', '2026-02', '1h', '1m', 'raw', 'auto', 'true', 'zh', '', '[]', '{}', 'null', '__proto__'];

const keyArb = fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(...KEYS).map((k) => `${k}[]`), fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('0', 'a', '__proto__', '')).map(([k, s]) => `${k}[${s}]`), nastyString(8));
const valArb = fc.oneof(fc.constantFrom(...VALUES), fc.integer().map(String), nastyString(30), fc.string({ minLength: 500, maxLength: 3000 }));
const enc = (s: string) => encodeURIComponent(Buffer.from(s).toString());

describe('GET read routes under hostile query strings', () => {
  it('never a 5xx; a 4xx carries {error:{code,message}}', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.array(fc.tuple(keyArb, valArb), { maxLength: 8 }),
        fc.boolean(),
        async (path, pairs, raw) => {
          // raw: the pairs unencoded, as a careless client sends them (only what a URL can carry).
          const q = pairs.map(([k, v]) => (raw ? `${k}=${v}`.replace(/[#\s]/g, '') : `${enc(k)}=${enc(v)}`)).join('&');
          let res: Response;
          try {
            res = await server.api(`${path}?${q}`);
          } catch (err) {
            if (raw) return; // fetch itself refused the URL
            throw err;
          }
          const body = await readBody(res);
          expectNot5xx(res.status, body, `GET ${path}?${q.slice(0, 400)}`);
          if (res.status >= 400) expectApiError(res.status, body, `GET ${path}?${q.slice(0, 400)}`);
        },
      ),
      params(600),
    );
    await expectAlive(server.url);
  }, FUZZ_TIMEOUT);
});
