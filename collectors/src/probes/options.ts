import { RETIRED_CODES, isUnitCode } from '@zhuyun/protocol';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../duration.js';

/**
 * Config pieces every probe's schema uses, so that the same key reads and fails the same way in
 * every probe (and the messages name the problem the same way).
 */

/** A node id as the protocol takes it (`tags.node`). */
export const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** A tag key as the protocol takes it. */
export const TAG_KEY = /^[a-z_][a-z0-9_]{0,31}$/;

/**
 * A duration written with a unit (`10s`, `500ms`), read as ms, within [min, max], `fallback` when
 * absent. `example` is what the messages offer as the right form.
 */
export function durationOption(min: number, max: number, fallback: number, example = '10s or 500ms') {
  return z
    .string({
      error: (i) => (typeof i.input === 'number' ? `${i.input} is not a duration: add a unit (${i.input}s or ${i.input}ms)` : `must be a duration like ${example}`),
    })
    .transform((text, ctx): number => {
      const ms = parseDuration(text);
      if (ms === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration like ${example}` });
      else if (ms < min) ctx.addIssue({ code: 'custom', message: `${text} is too short: at least ${formatDuration(min)}` });
      else if (ms > max) ctx.addIssue({ code: 'custom', message: `${text} is too long: at most ${formatDuration(max)}` });
      return ms ?? z.NEVER;
    })
    .default(fallback);
}

/** A district code or zone id (YAML may give a code as a number); the retired 520114 reads as 520111. */
export const districtOption = z
  .union([z.string(), z.number().int()], { error: 'must be a unit code such as "520103" or "gy-hitech"' })
  .transform((v) => String(v))
  .refine((code) => isUnitCode(code) || RETIRED_CODES[code] !== undefined, {
    error: (i) => `${JSON.stringify(i.input)} is not a known district or zone`,
  })
  .transform((code) => RETIRED_CODES[code] ?? code);
