import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, UnauthorizedError, httpStatusOf } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { INFLUX_VERSION, INFLUX_VERSION_HEADER } from './influx-compat.js';

/**
 * Errors of the InfluxDB-compatible routes in InfluxDB's shape, `{"error": "..."}`, which
 * Telegraf and the client libraries read (Telegraf drops a batch answered "partial write" or
 * "unable to parse" and retries on 5xx). The status codes are the API's usual ones
 * (`httpStatusOf`); a refused credential is only "authorization failed", as InfluxDB says it.
 */
@Catch()
export class InfluxErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = influxError(err);
    if (status >= 500 && !(err instanceof DomainError)) this.log.error({ err }, 'request failed');
    if (res.headersSent) return;
    res.setHeader(INFLUX_VERSION_HEADER, INFLUX_VERSION);
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="Zhuyun"');
    res.status(status).json({ error: message });
  }
}

export function influxError(err: unknown): { status: number; message: string } {
  if (err instanceof UnauthorizedError) return { status: 401, message: 'authorization failed' };
  if (err instanceof DomainError) return { status: httpStatusOf(err), message: err.message };
  if (err instanceof HttpException) {
    const r = err.getResponse();
    return { status: err.getStatus(), message: typeof r === 'string' ? r : String((r as { message?: unknown }).message ?? err.message) };
  }
  return { status: 500, message: 'internal error; see the server log' };
}
