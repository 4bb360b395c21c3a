import { describe, expect, it } from '@jest/globals';
import { COLLECTOR_LOST_AFTER_MS, collectorHealth } from './collector-health.js';

const now = 1_800_000_000_000;
const base = { id: 'c', district: '520103', createdAt: now - 86_400_000, revokedAt: null, version: 'zhuyun-collector/0.1.0', lastSeen: now - 5_000, units: [] as string[], clockSkewMs: null };

describe('collectorHealth', () => {
  it('is ok while it reports, lost after a minute of silence', () => {
    expect(collectorHealth(base, now)).toMatchObject({ state: 'ok', silentS: 5 });
    expect(collectorHealth({ ...base, lastSeen: now - COLLECTOR_LOST_AFTER_MS }, now).state).toBe('ok');
    expect(collectorHealth({ ...base, lastSeen: now - COLLECTOR_LOST_AFTER_MS - 1 }, now)).toMatchObject({ state: 'lost', silentS: 60 });
  });
  it('tells never seen and revoked apart', () => {
    expect(collectorHealth({ ...base, lastSeen: null }, now)).toMatchObject({ state: 'never_seen', silentS: null });
    expect(collectorHealth({ ...base, revokedAt: now - 1 }, now).state).toBe('revoked');
  });
});
