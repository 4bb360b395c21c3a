import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../common/logger.js';
import { requestContext } from '../common/request-context.js';
import type { MetricsService } from './metrics.service.js';

/** An id a proxy or client sent is kept when it is a plain token; anything else is replaced. */
const GOOD_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Routes hit every few seconds by probes and collectors: their successes log at debug only. */
const ROUTINE = /^\/(healthz|readyz|metrics|ping|write|api\/v1\/ingest)$/;

const LOGIN = '/api/v1/auth/login';

const INGEST: Record<string, 'json' | 'line'> = { '/api/v1/ingest': 'json', '/write': 'line' };

export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && GOOD_ID.test(given) ? given : randomUUID();
}

/**
 * Express middleware, first in the chain: gives each request an id (the `X-Request-Id` it came
 * with, else a new UUID), returns it in `X-Request-Id`, puts it into every log line written while
 * the request is handled (requestContext + the logger's mixin), logs one line per answered request,
 * and times ingest requests into zhuyun_ingest_request_duration_seconds.
 */
export function requestIds(log: Logger, metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const reqId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', reqId);
    const started = process.hrtime.bigint();
    const path = req.path;
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.statusCode;
      const protocol = req.method === 'POST' ? INGEST[path] : undefined;
      if (protocol) metrics.ingestDuration.observe({ protocol, status: `${Math.floor(status / 100)}xx` }, seconds);
      const line = { reqId, method: req.method, path, status, ms: Math.round(seconds * 10_000) / 10 };
      if (status >= 500) log.warn(line, 'request');
      else if (status < 400 && ROUTINE.test(path)) log.debug(line, 'request');
      // A throttled login is counted, and logged once per window, by AccountsService (issue 13).
      else if (status === 429 && path === LOGIN) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    requestContext.run({ reqId }, next);
  };
}
