import type { z } from 'zod';
import { ValidationError } from '../common/errors.js';

/** Parses input with a zod schema; a failure is a ValidationError naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new ValidationError(`bad ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}
