import type { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Checks input against a zod schema; on failure throws ValidationError (HTTP 400) whose message
 * names every problem (`bad <what>: <path>: <message>; …`) and whose details list them as
 * `{path, message}`. A missing body counts as `{}`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new ValidationError(`bad ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}
