/** Exponential back-off: the delay doubles per failed attempt, from `baseMs` up to `maxMs`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = after the first failure), with "equal jitter": a
 * random point in the upper half of the exponential step. The jitter spreads a fleet of agents
 * that lost the server at the same moment, so they do not all come back in the same second; the
 * lower half stays empty so the delay still grows.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
