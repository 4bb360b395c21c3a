import { Injectable } from '@nestjs/common';

/**
 * A readiness check another module adds to `/readyz`: resolves when the dependency answers,
 * rejects (with a message saying what is wrong) when not. It is given at most CHECK_TIMEOUT_MS.
 */
export type HealthCheck = () => Promise<void>;

/** A check slower than this counts as failed (a hung connection must not hang the probe). */
export const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness checks registered by modules that own a dependency, so that /readyz covers it without
 * OpsModule knowing it. The Redis code registers its ping under the name `redis`:
 *
 *   constructor(health: HealthRegistry) { health.register('redis', async () => { await client.ping(); }); }
 *
 * While REDIS_URL is set and no `redis` check is registered, /readyz reports `redis` as not ok.
 * OpsModule is global: inject HealthRegistry anywhere.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  /** Adds (or replaces) the check called `name`; returns a function that removes it. */
  register(name: string, check: HealthCheck): () => void {
    this.checks.set(name, check);
    return () => {
      if (this.checks.get(name) === check) this.checks.delete(name);
    };
  }

  has(name: string): boolean {
    return this.checks.has(name);
  }

  entries(): Array<[string, HealthCheck]> {
    return [...this.checks];
  }
}

/** Runs a check with the timeout; never throws. */
export async function runCheck(check: HealthCheck, timeoutMs = CHECK_TIMEOUT_MS): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
