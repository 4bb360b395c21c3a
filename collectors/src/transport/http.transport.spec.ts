import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { IngestBatch, RawPoint } from '@zhuyun/protocol';
import { HttpTransport, classify, parseRetryAfter } from './http.transport.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: unknown;
}

/** A stand-in ingest endpoint on port 0; `reply` decides the answer per request. */
let server: Server;
let base: string;
let seen: Seen[] = [];
let reply: (req: IncomingMessage, res: ServerResponse, body: unknown) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      const body = JSON.parse(text) as unknown;
      seen.push({ method: req.method, url: req.url, headers: req.headers, raw, body });
      reply(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function batch(n: number, id = 'edge-01:boot:1'): IngestBatch {
  const points: RawPoint[] = Array.from({ length: n }, (_, i) => ({
    metric: 'net.latency_ms', ts: 1_764_201_600_000 + i, value: 1 + (i % 7) / 10,
    tags: { district: '520103', node: `520103-acc-${i % 3}`, target: 'city-core' },
  }));
  return { collector: 'edge-01', batch: id, points };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('HttpTransport against a real HTTP server', () => {
  it('posts the batch to /api/v1/ingest with the bearer token and reads the 202 answer', async () => {
    seen = [];
    reply = (_req, res) => json(res, 202, { accepted: 2, rejected: [{ index: 1, error: 'unknown district "x"' }] });
    const transport = new HttpTransport({ url: `${base}/`, token: 'sekret-token' });
    const outcome = await transport.send(batch(3));
    expect(outcome).toEqual({ kind: 'accepted', status: 202, result: { accepted: 2, rejected: [{ index: 1, error: 'unknown district "x"' }] } });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('/api/v1/ingest');
    expect(seen[0].headers.authorization).toBe('Bearer sekret-token');
    expect(seen[0].headers['content-type']).toBe('application/json');
    expect(seen[0].headers['content-encoding']).toBeUndefined();
    expect(seen[0].body).toEqual(batch(3));
  });

  it('gzips a large body, which the server decodes to the same batch', async () => {
    seen = [];
    reply = (_req, res, body) => json(res, 202, { accepted: (body as IngestBatch).points.length, rejected: [] });
    const transport = new HttpTransport({ url: base, token: 't' });
    const big = batch(5_000, 'edge-01:boot:2');
    const outcome = await transport.send(big);
    expect(outcome).toEqual({ kind: 'accepted', status: 202, result: { accepted: 5_000, rejected: [] } });
    expect(seen[0].headers['content-encoding']).toBe('gzip');
    expect(seen[0].raw.length).toBeLessThan(JSON.stringify(big).length / 4);
    expect(seen[0].body).toEqual(big);
  });

  it.each([
    [400, 'rejected', { error: { code: 'VALIDATION', message: 'points must be an array' } }, 'HTTP 400: points must be an array'],
    [413, 'rejected', { error: 'at most 10000 points per batch' }, 'HTTP 413: at most 10000 points per batch'],
    [401, 'unauthorized', { error: 'unknown or revoked collector token' }, 'HTTP 401: unknown or revoked collector token'],
    [500, 'retryable', { error: 'storage unavailable' }, 'HTTP 500: storage unavailable'],
    [503, 'retryable', 'maintenance', 'HTTP 503: maintenance'],
  ])('maps HTTP %d to %s', async (status, kind, body, error) => {
    reply = (_req, res) => json(res, status, body);
    const outcome = await new HttpTransport({ url: base, token: 't' }).send(batch(1));
    expect(outcome).toEqual({ kind, status, error });
  });

  it('passes on Retry-After of a 429', async () => {
    reply = (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '3' });
    const outcome = await new HttpTransport({ url: base, token: 't' }).send(batch(1));
    expect(outcome).toEqual({ kind: 'retryable', status: 429, error: 'HTTP 429: slow down', retryAfterMs: 3_000 });
  });

  it('turns a refused connection into a retryable outcome that names the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await new HttpTransport({ url: `http://127.0.0.1:${port}`, token: 't' }).send(batch(1));
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' && outcome.error).toMatch(/ECONNREFUSED/);
  });

  it('gives up on a server that does not answer, as a retryable outcome', async () => {
    reply = () => {}; // never answers
    const outcome = await new HttpTransport({ url: base, token: 't', timeoutMs: 200 }).send(batch(1));
    expect(outcome).toEqual({ kind: 'retryable', error: `POST ${base}/api/v1/ingest: no answer within 200 ms` });
  });

  it('stops when the caller aborts', async () => {
    reply = () => {};
    const controller = new AbortController();
    const sending = new HttpTransport({ url: base, token: 't' }).send(batch(1), controller.signal);
    controller.abort();
    expect(await sending).toEqual({ kind: 'retryable', error: `POST ${base}/api/v1/ingest: aborted` });
  });
});

describe('HttpTransport connections', () => {
  it('keeps one connection open between sends, and opens a new one after close()', async () => {
    seen = [];
    const sockets = new Set<unknown>();
    reply = (req, res) => {
      sockets.add(req.socket);
      json(res, 202, { accepted: 1, rejected: [] });
    };
    const transport = new HttpTransport({ url: base, token: 't' });
    for (let i = 0; i < 3; i++) expect((await transport.send(batch(1, `edge-01:boot:${i}`))).kind).toBe('accepted');
    expect(sockets.size).toBe(1);
    await transport.close();
    expect((await transport.send(batch(1, 'edge-01:boot:9'))).kind).toBe('accepted');
    expect(sockets.size).toBe(2);
    await transport.close();
  });

  it('resends once on a fresh connection when the server closed the kept-alive one', async () => {
    seen = [];
    const served = new WeakSet<object>();
    let dropReused = false;
    reply = (req, res) => {
      if (dropReused && served.has(req.socket)) {
        req.socket.destroy(); // what a server whose keep-alive timeout just passed looks like
        return;
      }
      served.add(req.socket);
      json(res, 202, { accepted: 1, rejected: [] });
    };
    const transport = new HttpTransport({ url: base, token: 't' });
    expect((await transport.send(batch(1, 'edge-01:boot:1'))).kind).toBe('accepted');
    dropReused = true;
    expect(await transport.send(batch(1, 'edge-01:boot:2'))).toEqual({ kind: 'accepted', status: 202, result: { accepted: 1, rejected: [] } });
    expect(seen.map((s) => (s.body as IngestBatch).batch)).toEqual(['edge-01:boot:1', 'edge-01:boot:2', 'edge-01:boot:2']);
    await transport.close();
  });

  it('does not resend when a fresh connection is reset: that is a retryable outcome', async () => {
    reply = (req) => req.socket.destroy();
    const transport = new HttpTransport({ url: base, token: 't' });
    const outcome = await transport.send(batch(1));
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' && outcome.error).toMatch(/socket hang up|ECONNRESET/);
    await transport.close();
  });

  it('refuses a URL that is not http or https', () => {
    expect(() => new HttpTransport({ url: 'ftp://example.org', token: 't' })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('classify', () => {
  it('counts a 2xx without a readable body as all points accepted', () => {
    expect(classify(204, '', null, 7)).toEqual({ kind: 'accepted', status: 204, result: { accepted: 7, rejected: [] } });
    expect(classify(202, '{"accepted":3,"rejected":[],"duplicate":true}', null, 3)).toEqual({
      kind: 'accepted', status: 202, result: { accepted: 3, rejected: [], duplicate: true },
    });
  });

  it('keeps the batch on statuses that say the agent, not the batch, is wrong', () => {
    expect(classify(403, '', null, 1).kind).toBe('unauthorized');
    expect(classify(404, 'Not Found', null, 1)).toEqual({ kind: 'retryable', status: 404, error: 'HTTP 404: Not Found' });
    expect(classify(408, '', null, 1).kind).toBe('retryable');
  });

  it('reads Retry-After as seconds or a date, bounded', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('999999')).toBe(600_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
