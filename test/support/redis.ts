import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/** The project machine's Redis (Debian `redis-server`); CI starts it. */
export const REDIS_URL = process.env.ZHUYUN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers. Outside CI a missing server is said loudly and the suite skips; under
 * CI=true the suite runs and fails.
 */
export async function redisAvailable(): Promise<boolean> {
  const c = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.ping();
    await c.quit();
    return true;
  } catch (err) {
    if (process.env.CI === 'true') return true;
    console.warn(`\n*** Redis not reachable at ${REDIS_URL} (${(err as Error).message}): cluster tests skipped (apt-get install -y redis-server) ***\n`);
    return false;
  }
}

/** A key prefix no other test uses. */
export function freshPrefix(what = 'zhuyun-test'): string {
  return `${what}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix (after a test). */
export async function dropPrefix(prefix: string): Promise<void> {
  const c = createClient({ url: REDIS_URL });
  c.on('error', () => undefined);
  await c.connect();
  for await (const keys of c.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
    if (keys.length) await c.del(keys);
  }
  await c.quit();
}
