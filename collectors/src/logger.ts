import { pino } from 'pino';

/**
 * The logging surface the agent needs: pino's `(obj, msg)` calls. Any pino logger fits, so the
 * server can hand its own (or a child of it) to an in-process agent.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** JSON lines on stdout, as the server logs, so one log pipeline reads both. */
export function createDefaultLogger(level = 'info'): Logger {
  return pino({ level, base: { svc: 'zhuyun-collector' } });
}

/** Drops everything; for tests and for callers that really want silence. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The message of anything thrown, without a stack: log lines stay one line. */
export function errorMessage(err: unknown): string {
  // Duck-typed rather than `instanceof Error`: errors from another realm (Node's fetch under
  // jest's VM modules) are Errors that fail instanceof.
  if (isErrorLike(err)) {
    // fetch() hides the socket error (ECONNREFUSED...) in `cause`, which is what an operator needs.
    const cause = (err as { cause?: unknown }).cause;
    const causeText = isErrorLike(cause) ? `: ${(cause as { code?: unknown }).code ?? cause.message}` : '';
    return `${err.message}${causeText}`;
  }
  return String(err);
}

function isErrorLike(value: unknown): value is { message: string } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
