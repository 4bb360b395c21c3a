import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, TooManyRequestsError, httpStatusOf } from './errors.js';
import { isUnavailable } from './unavailable.js';

/**
 * The one place errors become HTTP: `{ "error": { "code", "message", "details" } }`. Domain errors
 * keep their message; framework errors (unknown route...) keep theirs; a backing service that cannot
 * be reached (isUnavailable: the database down or restarting) is a 503 to retry; anything else is a
 * 500 that is logged with its stack and answered without internals.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw err;
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = toHttp(err);
    if (status >= 500) this.log.error({ err }, 'request failed');
    if (err instanceof TooManyRequestsError && !res.headersSent) res.setHeader('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
    if (!res.headersSent) res.status(status).json(body);
  }
}

export function toHttp(err: unknown): { status: number; body: { error: { code: string; message: string; details?: unknown } } } {
  if (err instanceof DomainError) {
    return { status: httpStatusOf(err), body: { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } } };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const r = err.getResponse();
    const message = typeof r === 'string' ? r : String((r as { message?: unknown }).message ?? err.message);
    return { status, body: { error: { code: status === 404 ? 'not_found' : 'http_error', message } } };
  }
  if (isUnavailable(err)) {
    return { status: 503, body: { error: { code: 'unavailable', message: 'a backing service (the database) cannot be reached right now; retry' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error; see the server log' } } };
}
