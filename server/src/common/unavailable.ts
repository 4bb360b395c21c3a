/**
 * Whether an error means a backing service (the relational database) cannot be reached right now,
 * rather than a bug: refused or dropped connections, connect timeouts, PostgreSQL shutting down or
 * starting up (SQLSTATE 57P01-57P03) and connection exceptions (class 08). DomainErrorFilter answers
 * these 503 (retry later) instead of 500. Pure: reads `code` and `message` of the error and its cause.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENETUNREACH']);
const MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /Client has encountered a connection error/, /the database system is (starting up|shutting down)/, /Query read timeout/];

export function isUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const { code, message, cause, errors } = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (/^57P0[123]$/.test(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && MESSAGES.some((re) => re.test(message))) return true;
  // Node's AggregateError (a connect to several addresses, all refused).
  if (Array.isArray(errors) && errors.some((e) => isUnavailable(e, depth + 1))) return true;
  return isUnavailable(cause, depth + 1);
}
