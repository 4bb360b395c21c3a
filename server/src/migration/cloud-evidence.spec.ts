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
    const sys = (district: string, state: 'migrated' | 'assessed', name = '云岩区社保系统', id = 'yy-001') => ({ id, name, district, state });
    expect(e.forSystem(sys('520103', 'migrated'))).toEqual({ expectedOnCloud: true, unitRunning: 7, unitSeenAt: 1000, systemSeenAt: null, systemState: null, mismatch: true });
    expect(e.forSystem(sys('520121', 'assessed'))).toEqual({ expectedOnCloud: false, unitRunning: null, unitSeenAt: null, systemSeenAt: null, systemState: null, mismatch: false });
  });

  it('matches a listed system by name (width, case, spaces ignored) or id within its unit; the latest listing wins', () => {
    const e = new CloudEvidence({} as StatusService);
    const listed = (system: string, value: number, ts: number, unit = '520103'): Point => ({
      metric: 'cloud.system_running', ts, value, tags: { district: unit, unit, node: 'cloud-subplatform', platform: 'cloud', system },
    });
    e.take([point('520103', '520103', 2, 1000), listed('云岩区 ＯＡ 系统', 1, 1000), listed('YY-007', 0, 1000), listed('云岩区档案系统', 1, 1000, '520102')]);
    e.take([listed('云岩区oa系统', 0, 500)]); // older: ignored
    expect(e.forSystem({ id: 'yy-001', name: '云岩区OA系统', district: '520103', state: 'migrated' })).toMatchObject({ systemState: 'running', systemSeenAt: 1000, mismatch: false });
    expect(e.forSystem({ id: 'yy-007', name: '另一个名字', district: '520103', state: 'migrated' })).toMatchObject({ systemState: 'listed', mismatch: true });
    // Same name in another unit: not this system.
    expect(e.forSystem({ id: 'yy-009', name: '云岩区档案系统', district: '520103', state: 'assessed' })).toMatchObject({ systemState: null, mismatch: false });
    // Running on the cloud while the inventory says it is not there yet: a disagreement too.
    expect(e.forSystem({ id: 'yy-001', name: '云岩区OA系统', district: '520103', state: 'assessed' })).toMatchObject({ systemState: 'running', mismatch: true });
    // Another unit count (any source) says nothing about the listing; a newer reading without the system does.
    e.take([point('520103', '520103', 1, 2000)]);
    expect(e.forSystem({ id: 'yy-001', name: '云岩区OA系统', district: '520103', state: 'migrated' })).toMatchObject({ systemState: 'running', mismatch: false });
    e.take([listed('YY-007', 1, 3000)]);
    expect(e.forSystem({ id: 'yy-001', name: '云岩区OA系统', district: '520103', state: 'migrated' })).toMatchObject({ systemState: 'running', systemSeenAt: 1000, mismatch: true });
  });
});
