import { request as httpRequestFn, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequestFn } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';

/**
 * A small HTTP(S) client for probes (http, platform, cloud-inventory), on node:http/https rather
 * than fetch because a probe needs what fetch hides: the server's certificate chain and whether it
 * verified, even when it did not, and a fresh connection per request so the timing includes
 * connect and handshake as a user would see them.
 */

export interface TlsOptions {
  /** PEM of the CA certificates to trust instead of Node's bundled roots (e.g. a self-signed server's). */
  ca?: string | Buffer;
  /** Accept any certificate (still reported). */
  skipVerify?: boolean;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange (connect, TLS, redirects, body) must finish within this; past it: `timeout`. */
  timeoutMs: number;
  /** Aborts the exchange (the probe's collection was cut off): outcome `aborted`. */
  signal?: AbortSignal;
  /** Redirects followed (301, 302, 303, 307, 308). Default 0: a redirect is the answer. */
  maxRedirects?: number;
  /** Body bytes kept; reading stops there and `truncated` is set. Default 1 MiB. */
  maxBodyBytes?: number;
  tls?: TlsOptions;
}

export interface CertificateInfo {
  /** Subject common name (or the whole subject when there is no CN). */
  subject: string;
  /** notAfter, epoch ms. */
  validTo: number;
}

export interface TlsInfo {
  /** Whether the chain verified against the trusted CAs and matched the host name. */
  authorized: boolean;
  /** OpenSSL's reason when not authorized (`CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`...). */
  authorizationError?: string;
  /** The certificate chain as Node reports it, leaf first. */
  chain: CertificateInfo[];
}

export type HttpOutcome =
  | {
      ok: true;
      status: number;
      headers: IncomingHttpHeaders;
      body: Buffer;
      truncated: boolean;
      /** From the start of the first request to the end of the last body, ms. */
      latencyMs: number;
      /** The URL that gave the final answer (after redirects). */
      url: string;
      redirects: number;
      /** TLS of the first request, when it was https and the handshake completed. */
      tls?: TlsInfo;
    }
  | {
      ok: false;
      /** `timeout`, `aborted`, a socket code (`ECONNREFUSED`, `ENOTFOUND`), a TLS code, `too_many_redirects`... */
      code: string;
      message: string;
      latencyMs: number;
      tls?: TlsInfo;
    };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One line for a log: a failed outcome's message, with its code when the message does not say it. */
export function describeFailure(outcome: { code: string; message: string }): string {
  return outcome.message.includes(outcome.code) ? outcome.message : `${outcome.code}: ${outcome.message}`;
}

/**
 * Performs one HTTP exchange (following redirects when asked). Never rejects: every failure is an
 * outcome with a code, since for a probe an unreachable server is data.
 * Connections are never reused (no agent, `Connection: close`).
 */
export async function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<HttpOutcome> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();

  let current = new URL(url);
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body;
  let headers = { ...(options.headers ?? {}) };
  let firstTls: TlsInfo | undefined;
  let redirects = 0;
  try {
    for (;;) {
      const hop = await oneRequest(current, { method, headers, body, tls: options.tls, maxBodyBytes: options.maxBodyBytes ?? 1 << 20 }, controller.signal);
      if (redirects === 0) firstTls = hop.tls;
      if (!hop.ok) {
        const code = timedOut ? 'timeout' : controller.signal.aborted ? 'aborted' : hop.code;
        const message = timedOut ? `no complete answer within ${options.timeoutMs} ms` : controller.signal.aborted ? 'aborted' : hop.message;
        return { ok: false, code, message, latencyMs: elapsed(), tls: firstTls };
      }
      const location = hop.response.headers.location;
      if (REDIRECTS.has(hop.response.statusCode ?? 0) && location && redirects < (options.maxRedirects ?? 0)) {
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return { ok: false, code: 'bad_redirect', message: `redirect to ${next.protocol} URL`, latencyMs: elapsed(), tls: firstTls };
        }
        // As fetch does: a 303 (and a 301/302 after a POST) continues as GET without a body, and
        // credentials are not carried to another origin.
        const status = hop.response.statusCode ?? 0;
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        if (next.origin !== current.origin) {
          headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie)$/i.test(k)));
        }
        current = next;
        redirects++;
        continue;
      }
      if (REDIRECTS.has(hop.response.statusCode ?? 0) && location && (options.maxRedirects ?? 0) > 0) {
        return { ok: false, code: 'too_many_redirects', message: `more than ${options.maxRedirects} redirects`, latencyMs: elapsed(), tls: firstTls };
      }
      return {
        ok: true,
        status: hop.response.statusCode ?? 0,
        headers: hop.response.headers,
        body: hop.body,
        truncated: hop.truncated,
        latencyMs: elapsed(),
        url: current.toString(),
        redirects,
        tls: firstTls,
      };
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

type Hop =
  | { ok: true; response: IncomingMessage; body: Buffer; truncated: boolean; tls?: TlsInfo }
  | { ok: false; code: string; message: string; tls?: TlsInfo };

interface HopOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  tls?: TlsOptions;
  maxBodyBytes: number;
}

function oneRequest(url: URL, o: HopOptions, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve) => {
    let tlsInfo: TlsInfo | undefined;
    let settled = false;
    const done = (hop: Hop) => {
      if (settled) return;
      settled = true;
      resolve({ ...hop, tls: tlsInfo });
    };
    const https = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (https ? 443 : 80));
    const request = https ? httpsRequestFn : httpRequestFn;
    let req: ReturnType<typeof httpRequestFn>;
    try {
      req = request(url, {
        method: o.method,
        headers: { 'user-agent': 'zhuyun-collector', ...o.headers, connection: 'close' },
        signal,
        // No agent: every probe opens its own connection, so timing and certificate are first-hand.
        createConnection: (_opts: unknown, oncreate: (err: Error | null, socket?: Socket) => void) => {
          if (!https) return netConnect({ host, port });
          // Verification is done here rather than by rejectUnauthorized, so that a certificate that
          // fails (expired, self-signed) is still read and reported before the connection is refused.
          // Nothing is sent on a connection that did not verify.
          const socket: TLSSocket = tlsConnect({
            host,
            port,
            servername: isIP(host) ? undefined : host,
            ca: o.tls?.ca,
            rejectUnauthorized: false,
            ALPNProtocols: ['http/1.1'],
          });
          socket.once('secureConnect', () => {
            tlsInfo = readTls(socket);
            if (!socket.authorized && !o.tls?.skipVerify) {
              const reason = String(socket.authorizationError ?? 'certificate not trusted');
              socket.destroy();
              oncreate(Object.assign(new Error(`TLS certificate not accepted: ${reason}`), { code: reason }));
            } else {
              oncreate(null, socket);
            }
          });
          socket.on('error', (err) => oncreate(err)); // oncreate acts once; later errors reach the request
          // Until the handshake is over the request does not own the socket: a timeout must close it here.
          const onAbort = () => socket.destroy();
          signal.addEventListener('abort', onAbort, { once: true });
          socket.once('close', () => signal.removeEventListener('abort', onAbort));
          return undefined;
        },
      } as Parameters<typeof httpRequestFn>[1]);
    } catch (err) {
      // ClientRequest throws at once on a header it cannot send (a control character in a value).
      const e = err as NodeJS.ErrnoException;
      done({ ok: false, code: e.code ?? 'ERR_REQUEST', message: e.message });
      return;
    }
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, code: err.code ?? err.name, message: err.message }));
    req.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      response.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = o.maxBodyBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size += room;
          truncated = true;
          // Enough read: the answer is what it is, the rest is not waited for.
          done({ ok: true, response, body: Buffer.concat(chunks), truncated });
          response.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      response.once('end', () => done({ ok: true, response, body: Buffer.concat(chunks), truncated }));
      response.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, code: err.code ?? 'ECONNRESET', message: err.message }));
      response.once('aborted', () => done({ ok: false, code: 'ECONNRESET', message: 'response aborted' }));
    });
    req.end(o.body);
  });
}

function readTls(socket: TLSSocket): TlsInfo {
  const chain: CertificateInfo[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  // A self-signed root is its own issuer: stop at the first certificate seen twice.
  while (cert && cert.valid_to && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const cn = cert.subject?.CN;
    chain.push({ subject: Array.isArray(cn) ? cn.join(',') : cn ?? JSON.stringify(cert.subject), validTo: Date.parse(cert.valid_to) });
    cert = cert.issuerCertificate;
  }
  return socket.authorized
    ? { authorized: true, chain }
    : { authorized: false, authorizationError: String(socket.authorizationError ?? 'unknown'), chain };
}

/**
 * Days from `now` until the earliest `validTo` of a chain (fractional; negative once expired),
 * rounded to 0.01 day (about 15 minutes). Undefined for an empty chain.
 */
export function certDaysLeft(chain: readonly CertificateInfo[], now: number): number | undefined {
  const valid = chain.map((c) => c.validTo).filter((t) => Number.isFinite(t));
  if (valid.length === 0) return undefined;
  const earliest = Math.min(...valid);
  return Math.round(((earliest - now) / 86_400_000) * 100) / 100;
}
