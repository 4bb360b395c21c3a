import type { Logger } from '../logger.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** A Logger that keeps what it is told, for tests that check what an operator would see. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(obj: object, msg?: string): void {
    this.entries.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
  messages(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.msg ?? '');
  }
}
