import type { NextFunction, Request, Response } from 'express';

/**
 * Same-site is not same-origin (issue 13): a page on another port of the same host is "same-site",
 * so the SameSite=Strict session cookie goes with its requests. Every state-changing request from a
 * browser must therefore come from the server's own origin (scheme, host and port, as the browser
 * addressed it) or from one listed in ZHUYUN_CORS_ORIGINS. Clients that are not browsers (collectors,
 * Telegraf, curl, the CLI) send neither `Origin` nor `Sec-Fetch-Site` and are not concerned.
 */

/** Methods that change nothing; everything else is checked. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An origin in its canonical form (lower case, default port dropped); the input when it is no URL. */
export function canonicalOrigin(origin: string): string {
  try {
    const u = new URL(origin);
    return u.origin === 'null' ? 'null' : u.origin;
  } catch {
    return origin;
  }
}

export interface OriginFacts {
  /** The `Origin` header, when sent. */
  origin?: string;
  /** The `Sec-Fetch-Site` header, when sent. */
  secFetchSite?: string;
  /** `https://host:port` as the browser addressed this server (proxy headers honoured when trusted). */
  self: string;
}

/**
 * Why a browser request with these headers may not change anything, or undefined when it may.
 * `allowed`: canonical origins from ZHUYUN_CORS_ORIGINS.
 */
export function crossOriginProblem(f: OriginFacts, allowed: ReadonlySet<string>): string | undefined {
  if (f.origin !== undefined) {
    const o = canonicalOrigin(f.origin);
    if (o === canonicalOrigin(f.self) || allowed.has(o)) return undefined;
    return `requests from origin ${f.origin} may not change anything here (this server is ${canonicalOrigin(f.self)}; ZHUYUN_CORS_ORIGINS lists the others allowed)`;
  }
  // No Origin but the browser says where the request comes from: only the same origin (or the
  // user typing the address, `none`) passes.
  if (f.secFetchSite === 'cross-site' || f.secFetchSite === 'same-site') {
    return `a ${f.secFetchSite} request without an Origin header may not change anything here`;
  }
  return undefined;
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Express middleware: 403 to a state-changing request from a foreign origin. */
export function sameOriginForChanges(corsOrigins: readonly string[]) {
  const allowed = new Set(corsOrigins.map(canonicalOrigin));
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    // req.protocol and req.host follow X-Forwarded-Proto/-Host only under ZHUYUN_TRUST_PROXY.
    const problem = crossOriginProblem({ origin: header(req.headers.origin), secFetchSite: header(req.headers['sec-fetch-site']), self: `${req.protocol}://${req.host}` }, allowed);
    if (!problem) return next();
    res.status(403).json({ error: { code: 'forbidden_origin', message: problem } });
  };
}

/**
 * The same rule for the socket.io handshake (a GET, but it opens the live feed): the origin of a
 * WebSocket or polling handshake. `trustProxy`: whether X-Forwarded-Proto/-Host are believed (a
 * browser cannot set them on a handshake, so this only decides which origin is "self").
 */
export function handshakeOriginProblem(
  h: { headers: Record<string, string | string[] | undefined>; secure: boolean },
  corsOrigins: readonly string[],
  trustProxy: boolean,
): string | undefined {
  const forwardedProto = trustProxy ? header(h.headers['x-forwarded-proto'])?.split(',')[0].trim() : undefined;
  const forwardedHost = trustProxy ? header(h.headers['x-forwarded-host'])?.split(',')[0].trim() : undefined;
  const self = `${forwardedProto || (h.secure ? 'https' : 'http')}://${forwardedHost || header(h.headers.host) || 'localhost'}`;
  return crossOriginProblem({ origin: header(h.headers.origin), secFetchSite: header(h.headers['sec-fetch-site']), self }, new Set(corsOrigins.map(canonicalOrigin)));
}
