import { pino, type Logger } from 'pino';
import { requestContext } from './request-context.js';

export const LOGGER = Symbol('LOGGER');
export type { Logger };

/** One JSON logger for the process; Nest's own messages go through it too (NestPinoLogger). */
/** Never logged, wherever they appear in a logged object (issue 7: no secrets in logs). */
export const REDACTED_PATHS = [
  'password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie', 'secret', '*.secret',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { svc: 'zhuyun' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Every line logged while handling a request carries its id (X-Request-Id, ops/request-id.ts).
    mixin: () => {
      const ctx = requestContext.getStore();
      return ctx ? { reqId: ctx.reqId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

type Level = 'info' | 'warn' | 'error' | 'debug' | 'trace';

/** Adapts pino to Nest's LoggerService so framework messages are JSON lines like ours. */
export class NestPinoLogger {
  constructor(private readonly pinoLogger: Logger) {}
  private write(level: Level, message: unknown, rest: unknown[]) {
    const context = rest.length ? String(rest[rest.length - 1]) : undefined;
    this.pinoLogger[level]({ context }, String(message));
  }
  // Nest's routine start-up chatter (modules, routes) is debug; our own logs say what matters.
  log(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.write('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.write('trace', message, rest); }
}
