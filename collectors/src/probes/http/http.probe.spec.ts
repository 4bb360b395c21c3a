import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { certDaysLeft, httpRequest } from './http.client.js';
import { HttpProbe, httpProbeDefinition, statusAccepted, urlTag, type HttpProbeOptions } from './http.probe.js';
import { loadBuiltinProbes } from '../builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

const DAY = 86_400_000;
const collector = { id: 'open-probe-01', district: '520115' };
const ctx = (now = Date.now(), signal = new AbortController().signal) => ({ now, signal, collector });
const invalid = (points: RawPoint[], now = Date.now()) => points.map((p) => validatePoint(p, now)).flatMap((c) => (c.ok ? [] : [c.error]));
const values = (points: RawPoint[]) => Object.fromEntries(points.map((p) => [p.metric, p.value]));

/** The routes the local servers answer; `/hang` never does. */
function handler(seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    switch (req.url) {
      case '/health':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP","db":"ok"}');
        return;
      case '/broken':
        res.writeHead(500).end('internal error');
        return;
      case '/maintenance':
        res.writeHead(200).end('<h1>系统维护中</h1>');
        return;
      case '/moved':
        res.writeHead(302, { location: '/health' }).end();
        return;
      case '/hang':
        return; // never answers; the probe's response_timeout ends it
      default:
        res.writeHead(404).end();
    }
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function probe(options: Partial<HttpProbeOptions> & { url: string }, logger = new RecordingLogger()) {
  return new HttpProbe({ node: 'open-platform', responseTimeoutMs: 5_000, ...options }, logger);
}

describe('HttpProbe against a local HTTP server', () => {
  const seen: string[] = [];
  const server = createHttpServer(handler(seen));
  let base = '';
  beforeAll(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => close(server));

  it('reports a healthy endpoint: up, status, latency, body match; every point valid', async () => {
    const now = Date.now();
    const points = await probe({ url: `${base}/health`, bodyRegex: /"status":\s*"UP"/, bodyContains: 'db' }).collect(ctx(now));
    expect(points.map((p) => p.metric)).toEqual(['http.up', 'http.status_code', 'http.latency_ms', 'http.body_match']);
    const v = values(points);
    expect(v['http.up']).toBe(1);
    expect(v['http.status_code']).toBe(200);
    expect(v['http.latency_ms']).toBeGreaterThan(0);
    expect(v['http.body_match']).toBe(1);
    expect(points[0].tags).toEqual({ district: '520115', node: 'open-platform', target: `127.0.0.1:${server.address() && (server.address() as { port: number }).port}`, url: `${base}/health` });
    expect(points.every((p) => p.ts === now)).toBe(true);
    expect(invalid(points, now)).toEqual([]);
  });

  it('reports a 500 as down, with its status, and logs why once', async () => {
    const logger = new RecordingLogger();
    const p = probe({ url: `${base}/broken` }, logger);
    const points = await p.collect(ctx());
    await p.collect(ctx());
    expect(values(points)).toMatchObject({ 'http.up': 0, 'http.status_code': 500 });
    expect(logger.messages('warn')).toEqual(['status 500 is not one of 2xx']);
    expect(invalid(points)).toEqual([]);
  });

  it('accepts the statuses it is told to', async () => {
    expect(values(await probe({ url: `${base}/broken`, expectedStatus: [500] }).collect(ctx()))['http.up']).toBe(1);
    expect(statusAccepted(204, ['2xx'])).toBe(true);
    expect(statusAccepted(301, ['2xx', 404])).toBe(false);
    expect(statusAccepted(404, ['2xx', 404])).toBe(true);
  });

  it('reports a body that does not match as down, with http.body_match 0', async () => {
    const logger = new RecordingLogger();
    const points = await probe({ url: `${base}/maintenance`, bodyContains: '"status":"UP"' }, logger).collect(ctx());
    expect(values(points)).toMatchObject({ 'http.up': 0, 'http.status_code': 200, 'http.body_match': 0 });
    expect(logger.messages('warn')).toEqual(['body does not match']);
  });

  it('reports a server that does not answer in time as down, with no status or latency', async () => {
    const logger = new RecordingLogger();
    const points = await probe({ url: `${base}/hang`, responseTimeoutMs: 300 }, logger).collect(ctx());
    expect(points.map((p) => [p.metric, p.value])).toEqual([['http.up', 0]]);
    expect(logger.messages('warn')).toEqual(['no complete answer within 300 ms']);
    expect(invalid(points)).toEqual([]);
  });

  it('reports a refused connection as down', async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    await close(closed);
    const logger = new RecordingLogger();
    const points = await probe({ url: `http://127.0.0.1:${port}/` }, logger).collect(ctx());
    expect(points.map((p) => [p.metric, p.value])).toEqual([['http.up', 0]]);
    expect(logger.messages('warn')[0]).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('follows redirects by default, and takes one as the answer with max_redirects 0', async () => {
    expect(values(await probe({ url: `${base}/moved` }).collect(ctx()))).toMatchObject({ 'http.up': 1, 'http.status_code': 200 });
    expect(values(await probe({ url: `${base}/moved`, maxRedirects: 0 }).collect(ctx()))).toMatchObject({ 'http.up': 0, 'http.status_code': 302 });
    expect(values(await probe({ url: `${base}/moved`, maxRedirects: 0, expectedStatus: ['3xx'] }).collect(ctx()))['http.up']).toBe(1);
  });

  it('the client never rejects, even on a header Node refuses to send', async () => {
    const outcome = await httpRequest(`${base}/health`, { timeoutMs: 1_000, headers: { 'x-token': 'a\r\nb' } });
    expect(outcome).toMatchObject({ ok: false, code: 'ERR_INVALID_CHAR' });
  });

  it('returns nothing when the collection is aborted', async () => {
    const controller = new AbortController();
    const pending = probe({ url: `${base}/hang` }).collect(ctx(Date.now(), controller.signal));
    controller.abort();
    expect(await pending).toEqual([]);
  });
});

const haveOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
if (!haveOpenssl && process.env.CI !== 'true') {
  console.warn('\n*** `openssl` not found: the HTTPS probe tests are skipped (Debian: apt-get install -y openssl) ***\n');
}

/** A self-signed certificate made by the openssl CLI, valid `days` days from now. */
function selfSigned(dir: string, name: string, days: number, subjectAltName: string) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { keyFile: key, certFile: cert, key: readFileSync(key), cert: readFileSync(cert) };
}

(haveOpenssl || process.env.CI === 'true' ? describe : describe.skip)('HttpProbe against a local HTTPS server with a self-signed certificate', () => {
  let dir: string;
  let good: ReturnType<typeof selfSigned>;
  const seen: string[] = [];
  let server: Server;
  let otherServer: Server;
  let base = '';
  let otherBase = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zhuyun-http-probe-'));
    good = selfSigned(dir, 'localhost', 30, 'DNS:localhost,IP:127.0.0.1');
    const other = selfSigned(dir, 'other.example', 30, 'DNS:other.example');
    server = createHttpsServer({ key: good.key, cert: good.cert }, handler(seen));
    otherServer = createHttpsServer({ key: other.key, cert: other.cert }, handler([]));
    base = `https://127.0.0.1:${await listen(server)}`;
    otherBase = `https://localhost:${await listen(otherServer)}`;
  });
  afterAll(async () => {
    await close(server);
    await close(otherServer);
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the server with its certificate as ca_file and reports the days left', async () => {
    const now = Date.now();
    const points = await probe({ url: `${base}/health`, caFile: good.certFile }).collect(ctx(now));
    const v = values(points);
    expect(v['http.up']).toBe(1);
    expect(v['http.status_code']).toBe(200);
    // 30 days from the moment openssl signed it, a moment ago.
    expect(v['http.cert_days_left']).toBeGreaterThan(29.9);
    expect(v['http.cert_days_left']).toBeLessThanOrEqual(30);
    expect(invalid(points, now)).toEqual([]);
  });

  it('refuses the self-signed server without its CA, still reporting the certificate, and sends it nothing', async () => {
    const before = seen.length;
    const logger = new RecordingLogger();
    const points = await probe({ url: `${base}/health` }, logger).collect(ctx());
    const v = values(points);
    expect(v['http.up']).toBe(0);
    expect(v['http.status_code']).toBeUndefined();
    expect(v['http.cert_days_left']).toBeGreaterThan(29.9);
    expect(logger.messages('warn')).toEqual(['TLS certificate not accepted: DEPTH_ZERO_SELF_SIGNED_CERT']);
    expect(seen.length).toBe(before);
  });

  it('accepts it with tls_skip_verify', async () => {
    expect(values(await probe({ url: `${base}/health`, tlsSkipVerify: true }).collect(ctx()))).toMatchObject({ 'http.up': 1, 'http.status_code': 200 });
  });

  it('refuses a certificate for another name even from a trusted CA', async () => {
    const logger = new RecordingLogger();
    const points = await probe({ url: `${otherBase}/health`, caFile: join(dir, 'other.example.pem') }, logger).collect(ctx());
    expect(values(points)['http.up']).toBe(0);
    expect(logger.messages('warn')).toEqual(['TLS certificate not accepted: ERR_TLS_CERT_ALTNAME_INVALID']);
  });

  it('counts days against the collection time: near expiry, then expired (negative)', async () => {
    const soon = values(await probe({ url: `${base}/health`, caFile: good.certFile }).collect(ctx(Date.now() + 29.5 * DAY)));
    expect(soon['http.cert_days_left']).toBeGreaterThan(0.4);
    expect(soon['http.cert_days_left']).toBeLessThanOrEqual(0.5);
    const late = values(await probe({ url: `${base}/health`, caFile: good.certFile }).collect(ctx(Date.now() + 40 * DAY)));
    expect(late['http.cert_days_left']).toBeGreaterThan(-10.1);
    expect(late['http.cert_days_left']).toBeLessThanOrEqual(-10);
  });

  it('logs and measures nothing when the ca_file cannot be read', async () => {
    const logger = new RecordingLogger();
    expect(await probe({ url: `${base}/health`, caFile: join(dir, 'missing.pem') }, logger).collect(ctx())).toEqual([]);
    expect(logger.messages('error')[0]).toMatch(/^cannot read ca_file .*missing\.pem: ENOENT/);
  });

  it('the client reports the chain of a verified connection', async () => {
    const outcome = await httpRequest(`${base}/health`, { timeoutMs: 5_000, tls: { ca: good.cert } });
    expect(outcome.ok && outcome.tls).toEqual({ authorized: true, chain: [{ subject: 'localhost', validTo: expect.any(Number) }] });
  });
});

describe('certificate days left (arithmetic)', () => {
  const now = Date.UTC(2025, 0, 6, 2, 0, 0);
  it('counts fractional days to the earliest expiry of the chain', () => {
    const chain = [
      { subject: 'open.gy.gov.example', validTo: now + 10.5 * DAY },
      { subject: 'Intermediate CA', validTo: now + 3 * DAY },
      { subject: 'Root CA', validTo: now + 3000 * DAY },
    ];
    expect(certDaysLeft(chain, now)).toBe(3);
    expect(certDaysLeft(chain.slice(0, 1), now)).toBe(10.5);
  });
  it('goes negative once expired, and rounds to 0.01 day', () => {
    expect(certDaysLeft([{ subject: 'x', validTo: now - 1.25 * DAY }], now)).toBe(-1.25);
    expect(certDaysLeft([{ subject: 'x', validTo: now + 3_600_000 }], now)).toBe(0.04); // one hour
    expect(certDaysLeft([{ subject: 'x', validTo: now }], now)).toBe(0);
    expect(certDaysLeft([{ subject: 'x', validTo: Date.parse('Jan 16 02:00:00 2025 GMT') }], now)).toBe(10); // OpenSSL's valid_to format
  });
  it('has no answer without a certificate', () => {
    expect(certDaysLeft([], now)).toBeUndefined();
    expect(certDaysLeft([{ subject: 'x', validTo: Number.NaN }], now)).toBeUndefined();
  });
});

describe('url tag', () => {
  it('drops credentials, query and fragment', () => {
    expect(urlTag(new URL('https://user:secret@open.example:8443/api/health?token=abc#x'))).toBe('https://open.example:8443/api/health');
  });
  it('keeps long URLs within 128 characters, distinct', () => {
    const a = urlTag(new URL(`https://open.example/${'a'.repeat(200)}`));
    const b = urlTag(new URL(`https://open.example/${'a'.repeat(201)}`));
    expect(a).toHaveLength(128);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^https:\/\/open\.example\/a+~[0-9a-f]{8}$/);
  });
});

describe('http probe config', () => {
  const head = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: open-probe-01, district: "520115" }\n';

  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./http.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(head + sample, 'http.sample.yaml');
    expect(config.probes[0]).toMatchObject({
      type: 'http', name: 'open-portal', intervalMs: 30_000, timeoutMs: 20_000,
      options: {
        url: 'https://open.gy.gov.example/api/health', method: 'GET', headers: { accept: 'application/json' },
        expected_status: ['2xx', 304], body_contains: '"status":"UP"', response_timeout: 15_000, max_redirects: 5,
        max_body_bytes: 65_536, tls_skip_verify: false, ca_file: '/etc/zhuyun/gov-ca.pem', target: 'open-portal',
        node: 'open-platform', district: '520115',
      },
    });
    expect((config.probes[0].options as { body_regex: RegExp }).body_regex).toEqual(/"db"\s*:\s*"ok"/i);
    expect(config.probes[1]).toMatchObject({ type: 'http', options: { method: 'POST', body: '{"ping":true}' } });
  });

  it('creates a probe with defaults: node from the collector, GET, 2xx', async () => {
    const config = httpProbeDefinition.configSchema.parse({ url: 'http://127.0.0.1:1/' });
    expect(config).toMatchObject({ method: 'GET', expected_status: ['2xx'], response_timeout: 10_000, max_redirects: 5, tls_skip_verify: false });
    expect(httpProbeDefinition.create(config, { collector, logger: silentLogger }).type).toBe('http');
  });

  it('refuses bad URLs, statuses, regexes and contradictions, with the key path', () => {
    const text = `${head}probes:
  - type: http
    interval: 30s
    url: ftp://files.example/
    headers: { "bad name": x, x-ok: "a\\nb" }
    expected_status: [200, 6xx]
    body_regex: "([a-z"
  - type: http
    interval: 30s
    url: https://open.example/
    method: HEAD
    body: x
    body_contains: ok
`;
    let message = '';
    try {
      parseConfig(text, 'h.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('h.yaml:6: probes[0].url: "ftp://files.example/" is not an http:// or https:// URL');
    expect(message).toContain('h.yaml:7: probes[0].headers.bad name: is not a valid header name');
    expect(message).toContain('h.yaml:7: probes[0].headers.x-ok: must not contain control characters (line breaks)');
    expect(message).toContain('h.yaml:8: probes[0].expected_status[1]: must be a status code (200) or a class (2xx)');
    expect(message).toMatch(/h\.yaml:9: probes\[0\]\.body_regex: is not a valid regular expression/);
    expect(message).toContain('probes[1].body: is only sent with method POST');
    expect(message).toContain('probes[1].method: HEAD has no body to match');
  });
});
