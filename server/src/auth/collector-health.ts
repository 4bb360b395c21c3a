import type { CollectorInfo, CollectorState } from '@zhuyun/protocol';
import type { CollectorEntry } from './collector-tokens.service.js';

/** A collector silent this long is lost (its heartbeat comes at least every 10 s). */
export const COLLECTOR_LOST_AFTER_MS = 60_000;


/**
 * A collector's health, apart from its nodes': a collector that stops reporting is `lost` (its own
 * alert), while its nodes turn `unknown`. Pure: `now` comes in.
 */
export function collectorHealth(c: CollectorEntry, now: number): CollectorInfo {
  const silentS = c.lastSeen === null ? null : Math.max(0, Math.round((now - c.lastSeen) / 1000));
  const state: CollectorState =
    c.revokedAt !== null ? 'revoked' : c.lastSeen === null ? 'never_seen' : now - c.lastSeen > COLLECTOR_LOST_AFTER_MS ? 'lost' : 'ok';
  return { ...c, state, silentS };
}
