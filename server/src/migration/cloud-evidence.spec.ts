import { describe, expect, it } from '@jest/globals';
import type { Point } from '@zhuyun/protocol';
import { CloudEvidence } from './cloud-evidence.js';
import type { StatusService } from '../status/status.service.js';

const point = (unit: string, district: string, value: number, ts: number, metric = 'cloud.systems_running'): Point => ({
  metric, ts, value, tags: { district, unit, node: 'cloud-subplatform', platform: 'cloud' },
});

describe('cloud evidence', () => {
  it('keeps the latest running count per unit (a zone under its own id) and ignores older points', () => {
    const e = new CloudEvidence({} as StatusService);
    e.take([point('520103', '520103', 7, 1000), point('gy-hitech', '520113', 3, 1000), point('520103', '520103', 99, 1000, 'host.cpu_pct')]);
    e.take([point('520103', '520103', 5, 500)]);
    expect(e.unit('520103')).toEqual({ unit: '520103', running: 7, at: 1000 });
    expect(e.unit('gy-hitech')?.running).toBe(3);
    expect(e.unit('520113')).toBeNull();
    expect(e.forSystem({ district: '520103', state: 'migrated' })).toEqual({ expectedOnCloud: true, unitRunning: 7, unitSeenAt: 1000, systemSeenAt: null });
    expect(e.forSystem({ district: '520121', state: 'assessed' })).toEqual({ expectedOnCloud: false, unitRunning: null, unitSeenAt: null, systemSeenAt: null });
  });
});
