// Shared pieces of the hostile-input suite (test/fuzz, jest project `fuzz`): run counts, seeds and
// the checks every HTTP property shares.
import { expect } from '@jest/globals';
import fc from 'fast-check';

/**
 * Runs for one property: `base` by default, FUZZ_RUNS raises it (`FUZZ_RUNS=20000`), never lowers
 * it below 1. FUZZ_SEED replays a failure (fast-check prints the seed and path of every failure).
 */
export function runs(base: number): number {
  const env = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(env) && env > 0 ? Math.max(base, Math.floor(env)) : base;
}

/** Per-test time limit: two minutes at the default runs, an hour when FUZZ_RUNS raises them. */
export const FUZZ_TIMEOUT = process.env.FUZZ_RUNS ? 3_600_000 : 120_000;

/** Replaying one case (FUZZ_PATH): the checks on how often cases were reached do not apply. */
export const replaying = (): boolean => Boolean(process.env.FUZZ_PATH);

export function params<T>(base: number): fc.Parameters<T> {
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: runs(base),
    ...(Number.isFinite(seed) && process.env.FUZZ_SEED ? { seed } : {}),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    // A failing case against a live server is shrunk, but not forever.
    endOnFailure: false,
    interruptAfterTimeLimit: 5 * 60_000,
  };
}

/** The API's error shape: `{error: {code, message}}` with non-empty strings. */
export function expectApiError(status: number, body: unknown, what: string): void {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof e?.code !== 'string' || !e.code || typeof e.message !== 'string' || !e.message) {
    throw new Error(`${what}: ${status} without {error:{code,message}}: ${JSON.stringify(body)?.slice(0, 300)}`);
  }
}

/** Reads a response as JSON when it is, as text otherwise; never throws. */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** Never a 5xx: the message names the input (shrunk by fast-check) and what came back. */
export function expectNot5xx(status: number, body: unknown, what: string): void {
  if (status >= 500) throw new Error(`${what}: ${status} ${JSON.stringify(body)?.slice(0, 500)}`);
  expect(status).toBeGreaterThanOrEqual(200);
}

/** The server still answers: its liveness probe says 200. */
export async function expectAlive(url: string): Promise<void> {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
}

/** Strings hostile parsers meet: escapes, quotes, control and astral characters, RTL, NUL. */
export const nastyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom('', ' ', '\\', '"', "'", '\u0000', '\uFEFF', '\u202E', '\uD800', '💥', '__proto__', 'constructor', 'NaN', 'Infinity', '-0', '1e309', '%00', '%E0%A4%A', '\r\n', '=', ',', ' ', '\t'),
  );
