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

/** pino's level numbers, so one log pipeline reads the server's lines and the agent's alike. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY } as const;
export type LogLevel = keyof typeof LOG_LEVELS;

/**
 * JSON lines as pino writes them with `base: { svc }`: `{"level":30,"time":<epoch ms>,"svc":
 * "zhuyun-collector",...fields,"msg":"..."}`, one per call, written synchronously. A dozen lines
 * instead of pino, which costs the agent about 3 MB of RSS (docs/COLLECTORS.md "Memory"). Errors
 * become `{type, message, stack}`, bigints strings; a field that cannot be serialised (a cycle)
 * does not lose the line.
 */
export class JsonLineLogger implements Logger {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    private readonly svc = 'zhuyun-collector',
  ) {
    this.threshold = LOG_LEVELS[level];
  }

  debug(obj: object, msg?: string): void {
    this.log(LOG_LEVELS.debug, obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.log(LOG_LEVELS.info, obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.log(LOG_LEVELS.warn, obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.log(LOG_LEVELS.error, obj, msg);
  }

  private log(level: number, obj: object, msg?: string): void {
    if (level < this.threshold) return;
    const head = { level, time: Date.now(), svc: this.svc };
    let line: string;
    try {
      line = JSON.stringify(msg === undefined ? { ...head, ...obj } : { ...head, ...obj, msg }, replacer);
    } catch (err) {
      line = JSON.stringify({ ...head, msg, logError: `fields not serialisable: ${errorMessage(err)}` });
    }
    this.write(`${line}\n`);
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  return value;
}

/** JSON lines on stdout, as the server logs, so one log pipeline reads both. */
export function createDefaultLogger(level: string = 'info'): Logger {
  if (!(level in LOG_LEVELS)) throw new Error(`log level ${JSON.stringify(level)} is not one of ${Object.keys(LOG_LEVELS).join(', ')}`);
  return new JsonLineLogger(level as LogLevel);
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
