import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { IngestBatch, IngestResult } from '@zhuyun/protocol';
import { errorMessage } from '../logger.js';
import type { SendOutcome, Transport } from './transport.js';

const gzipAsync = promisify(gzip);

export const INGEST_PATH = '/api/v1/ingest';
const USER_AGENT = 'zhuyun-collector/0.1.0';

export interface HttpTransportOptions {
  /** Server base URL (`http://127.0.0.1:8080`); the ingest path is appended. */
  url: string;
  token: string;
  /** Time allowed for one request, answer included. Default 10 s. */
  timeoutMs?: number;
  /**
   * Bodies at least this large are gzipped. Default 8 KiB: below that, compressing costs more CPU
   * than the bytes it saves on a LAN; a 5,000-point batch (~1 MB of JSON) shrinks about 15×.
   */
  gzipMinBytes?: number;
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof fetch;
}

/** Sends batches to `POST /api/v1/ingest` as DESIGN.md fixes it. */
export class HttpTransport implements Transport {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly gzipMinBytes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpTransportOptions) {
    this.endpoint = options.url.replace(/\/+$/, '') + INGEST_PATH;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.gzipMinBytes = options.gzipMinBytes ?? 8 * 1024;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async send(batch: IngestBatch, signal?: AbortSignal): Promise<SendOutcome> {
    const json = Buffer.from(JSON.stringify(batch));
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': USER_AGENT,
    };
    let body: Buffer = json;
    if (json.length >= this.gzipMinBytes) {
      body = await gzipAsync(json);
      headers['content-encoding'] = 'gzip';
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers,
        // Buffer is a Uint8Array, which fetch takes; some lib combinations do not see it as BodyInit.
        body: body as Uint8Array<ArrayBuffer>,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (err) {
      const why = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : signal?.aborted ? 'aborted' : errorMessage(err);
      return { kind: 'retryable', error: `POST ${this.endpoint}: ${why}` };
    }
    return classify(response.status, text, response.headers.get('retry-after'), batch.points.length);
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
      return data.duplicate ? { accepted: data.accepted, rejected: data.rejected, duplicate: true } : { accepted: data.accepted, rejected: data.rejected };
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
