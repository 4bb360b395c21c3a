import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { SENT_AT_HEADER, type IngestBatch, type IngestResult } from '@zhuyun/protocol';
import { errorMessage } from '../logger.js';
import type { SendOutcome, Transport } from './transport.js';

const gzipAsync = promisify(gzip);

export const INGEST_PATH = '/api/v1/ingest';
const USER_AGENT = 'zhuyun-collector/0.1.0';
/** The server answers a few hundred bytes; a 5,000-point batch with every point refused is ~400 KB. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface HttpTransportOptions {
  /** Server base URL (`http://127.0.0.1:8080`, or https); the ingest path is appended. */
  url: string;
  token: string;
  /** Time allowed for one request, answer included. Default 10 s. */
  timeoutMs?: number;
  /**
   * Bodies at least this large are gzipped. Default 8 KiB: below that, compressing costs more CPU
   * than the bytes it saves on a LAN; a 5,000-point batch (~1 MB of JSON) shrinks about 15×.
   */
  gzipMinBytes?: number;
}

/** The outcome of the HTTP exchange itself, before classify reads it. */
interface Answer {
  status: number;
  body: string;
  retryAfter: string | null;
}

class RequestFailed extends Error {
  constructor(message: string, readonly code: string | undefined, readonly reusedSocket: boolean) {
    super(message);
  }
}

/**
 * Sends batches to `POST /api/v1/ingest` as DESIGN.md fixes it.
 *
 * Built on node:http / node:https with a keep-alive agent rather than the global `fetch`: fetch is
 * undici, which costs about 7 MB of RSS for good and ~30 MB at start while it compiles its
 * WebAssembly parser, a large share of the agent's 60 MB budget (docs/COLLECTORS.md "Memory").
 * One connection is kept open between sends (the agent sends one batch at a time); node:https is
 * loaded only for an https URL.
 */
export class HttpTransport implements Transport {
  readonly endpoint: string;
  private readonly url: URL;
  private readonly timeoutMs: number;
  private readonly gzipMinBytes: number;
  private client?: Promise<{ request: typeof httpRequest; agent: HttpAgent | HttpsAgent }>;

  constructor(private readonly options: HttpTransportOptions) {
    this.endpoint = options.url.replace(/\/+$/, '') + INGEST_PATH;
    this.url = new URL(this.endpoint);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`server url must be http:// or https://, not ${this.url.protocol}`);
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.gzipMinBytes = options.gzipMinBytes ?? 8 * 1024;
  }

  async send(batch: IngestBatch, signal?: AbortSignal): Promise<SendOutcome> {
    const json = Buffer.from(JSON.stringify(batch));
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'accept-encoding': 'identity',
      'user-agent': USER_AGENT,
      // Our clock now: the server compares it with its own (clock skew, said back as a warning).
      [SENT_AT_HEADER]: String(Date.now()),
    };
    let body: Buffer = json;
    if (json.length >= this.gzipMinBytes) {
      body = await gzipAsync(json);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    // One deadline for the whole send, the retry on a stale connection included.
    const deadline = Date.now() + this.timeoutMs;
    try {
      let answer: Answer;
      try {
        answer = await this.post(body, headers, deadline, signal);
      } catch (err) {
        // A kept-alive connection the server closed just as we reused it: the request never
        // reached the server's handler. Node's documentation recommends one retry on a fresh
        // connection; the batch id makes even a doubled delivery harmless.
        if (!(err instanceof RequestFailed && err.reusedSocket && err.code === 'ECONNRESET')) throw err;
        answer = await this.post(body, headers, deadline, signal);
      }
      return classify(answer.status, answer.body, answer.retryAfter, batch.points.length);
    } catch (err) {
      return { kind: 'retryable', error: `POST ${this.endpoint}: ${errorMessage(err)}` };
    }
  }

  /** Closes the kept-alive connection. The transport stays usable: the next send opens a new one. */
  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    client?.agent.destroy();
  }

  private loadClient() {
    this.client ??= (async () => {
      // Two sockets: one in use, one spare for a send that overlaps a connection being closed.
      const agentOptions = { keepAlive: true, keepAliveMsecs: 15_000, maxSockets: 2, maxFreeSockets: 1 };
      if (this.url.protocol === 'https:') {
        const https = await import('node:https');
        return { request: https.request as unknown as typeof httpRequest, agent: new https.Agent(agentOptions) };
      }
      return { request: httpRequest, agent: new HttpAgent(agentOptions) };
    })();
    return this.client;
  }

  private async post(body: Buffer, headers: Record<string, string>, deadline: number, signal?: AbortSignal): Promise<Answer> {
    const { request, agent } = await this.loadClient();
    const url = this.url;
    const options: RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: url.pathname + url.search,
      headers,
      agent,
    };
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(answer!);
      };
      const req = request(options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        });
        res.on('error', (err) => finish(new RequestFailed(errorMessage(err), (err as NodeJS.ErrnoException).code, req.reusedSocket)));
        res.on('aborted', () => finish(new RequestFailed('connection closed during the answer', undefined, false)));
      });
      const fail = (message: string) => {
        finish(new RequestFailed(message, undefined, false));
        req.destroy();
      };
      const onAbort = () => fail('aborted');
      const timer = setTimeout(() => fail(`no answer within ${this.timeoutMs} ms`), Math.max(0, deadline - Date.now()));
      req.on('error', (err) => finish(new RequestFailed(errorMessage(err), (err as NodeJS.ErrnoException).code, req.reusedSocket)));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  }
}

/**
 * Maps a status and body to an outcome. Pure, so each branch is tested without a server.
 * An unexpected 4xx (404 from a wrong URL, 405 from a proxy) is retryable, not rejected: it says
 * the agent is pointed at the wrong place, and dropping data for that would punish the wrong party.
 */
export function classify(status: number, body: string, retryAfter: string | null, pointCount: number): SendOutcome {
  if (status >= 200 && status < 300) {
    return { kind: 'accepted', status, result: parseResult(body, pointCount) };
  }
  const error = `HTTP ${status}${serverMessage(body)}`;
  if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', status, error };
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, error };
  const retryAfterMs = parseRetryAfter(retryAfter);
  return retryAfterMs === undefined ? { kind: 'retryable', status, error } : { kind: 'retryable', status, error, retryAfterMs };
}

function parseResult(body: string, pointCount: number): IngestResult {
  try {
    const data = JSON.parse(body) as Partial<IngestResult>;
    if (typeof data.accepted === 'number' && Array.isArray(data.rejected)) {
      const result: IngestResult = { accepted: data.accepted, rejected: data.rejected };
      if (data.duplicate) result.duplicate = true;
      if (Array.isArray(data.warnings) && data.warnings.length) result.warnings = data.warnings;
      return result;
    }
  } catch {
    // fall through: the server took the batch; a body we cannot read does not change that.
  }
  return { accepted: pointCount, rejected: [] };
}

/** `: message` from `{"error": "..."}` or `{"error": {"message": "..."}}` or plain text; bounded. */
function serverMessage(body: string): string {
  if (!body) return '';
  let message = body;
  try {
    const data = JSON.parse(body) as { error?: unknown; message?: unknown } | string;
    const e = typeof data === 'object' && data !== null ? data.error : undefined;
    if (typeof data === 'string') message = data;
    else if (typeof e === 'string') message = e;
    else if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') message = (e as { message: string }).message;
    else if (typeof data === 'object' && data !== null && typeof data.message === 'string') message = data.message;
  } catch {
    // not JSON: keep the text
  }
  message = message.replace(/\s+/g, ' ').trim();
  return message ? `: ${message.length > 300 ? message.slice(0, 300) + '…' : message}` : '';
}

/** Retry-After as seconds or an HTTP date; capped at 10 minutes so a bad header cannot park the agent. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  let ms: number;
  if (Number.isFinite(seconds)) ms = seconds * 1_000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), 10 * 60_000);
}
