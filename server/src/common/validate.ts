import type { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Checks input against a zod schema; on failure throws ValidationError (HTTP 400) whose message
 * names the first problem and whose details list every one as `{path, message}`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = details[0];
  throw new ValidationError(`${what}: ${first.path ? `${first.path}: ` : ''}${first.message}`, details);
}
