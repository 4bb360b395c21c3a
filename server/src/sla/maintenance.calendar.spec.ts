import { describe, expect, it } from '@jest/globals';
import { maintenanceCovers, scheduleCovers, windowMatchesScope, type MaintenanceWindow } from './maintenance.calendar.js';

const local = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h - 8, mi);

const win = (over: Partial<MaintenanceWindow>): MaintenanceWindow => ({
  id: 'w', title: 't', services: [], districts: [], state: 'approved', requestedBy: 'ops', requestedAt: 0, decidedBy: 'ops', decidedAt: 0, note: null,
  schedule: { kind: 'once', start: local(2026, 11, 27, 1), end: local(2026, 11, 27, 3) },
  ...over,
});

describe('schedules', () => {
  const once = { kind: 'once' as const, start: local(2026, 11, 27, 1), end: local(2026, 11, 27, 3) };
  it.each<[string, number, boolean]>([
    ['at its start', local(2026, 11, 27, 1), true],
    ['a minute before', local(2026, 11, 27, 0, 59), false],
    ['its last minute', local(2026, 11, 27, 2, 59), true],
    ['at its end', local(2026, 11, 27, 3), false],
  ])('one-off: %s', (_n, t, expected) => {
    expect(scheduleCovers(once, t)).toBe(expected);
  });

  // Tuesdays and Thursdays 23:00 for 2 h (runs past midnight), from 2026-11-01 until 2026-12-01.
  const weekly = { kind: 'weekly' as const, weekdays: [2, 4], startTime: '23:00', durationMinutes: 120, from: local(2026, 11, 1, 0), until: local(2026, 12, 1, 0) };
  it.each<[string, number, boolean]>([
    ['Tuesday 23:00', local(2026, 11, 24, 23), true],
    ['Tuesday 22:59', local(2026, 11, 24, 22, 59), false],
    ['Wednesday 00:30 (the Tuesday occurrence past midnight)', local(2026, 11, 25, 0, 30), true],
    ['Wednesday 01:00 (ended)', local(2026, 11, 25, 1), false],
    ['Wednesday 23:00 (not a window day)', local(2026, 11, 25, 23), false],
    ['Thursday 23:30', local(2026, 11, 26, 23, 30), true],
    ['after until', local(2026, 12, 1, 23, 30), false],
    ['before from', local(2026, 10, 27, 23, 30), false],
  ])('weekly: %s', (_n, t, expected) => {
    expect(scheduleCovers(weekly, t)).toBe(expected);
  });
  it('weekly: Sunday 23:00 runs into Monday', () => {
    const s = { kind: 'weekly' as const, weekdays: [7], startTime: '23:00', durationMinutes: 90, from: 0, until: null };
    expect(scheduleCovers(s, local(2026, 11, 30, 0, 15))).toBe(true); // Monday 00:15
    expect(scheduleCovers(s, local(2026, 11, 30, 0, 30))).toBe(false);
  });
});

describe('maintenanceCovers', () => {
  const t = local(2026, 11, 27, 2);
  it.each<[string, Partial<MaintenanceWindow>, string, boolean]>([
    ['an approved window scoped to the service', { services: ['share'] }, 'share', true],
    ['another service', { services: ['share'] }, 'open', false],
    ['a district names its extranet service', { districts: ['520103'] }, 'extranet:520103', true],
    ['a district does not name the platforms', { districts: ['520115'] }, 'cloud', false],
    ['a zone id works as a district', { districts: ['gy-hitech'] }, 'extranet:gy-hitech', true],
    ['a requested window does nothing', { services: ['share'], state: 'requested' }, 'share', false],
    ['a rejected window does nothing', { services: ['share'], state: 'rejected' }, 'share', false],
    ['registered after the minute began: not MAINT (takes a reclassification)', { services: ['share'], requestedAt: t + 1 }, 'share', false],
    ['registered at the minute: MAINT', { services: ['share'], requestedAt: t }, 'share', true],
  ])('%s', (_n, over, service, expected) => {
    expect(maintenanceCovers([win(over)], service, t)).toBe(expected);
  });
});

describe('windowMatchesScope (alert escalation)', () => {
  const w = win({ services: ['share'], districts: ['520103'] });
  it('matches by service, district or a node of the service', () => {
    expect(windowMatchesScope(w, { service: 'share' })).toBe(true);
    expect(windowMatchesScope(w, { district: '520103' })).toBe(true);
    expect(windowMatchesScope(w, { district: '520102' })).toBe(false);
    expect(windowMatchesScope(w, { node: '520103-acc-1' }, (n) => (n.startsWith('520103') ? 'extranet:520103' : undefined))).toBe(true);
    expect(windowMatchesScope(w, { node: '520102-acc-1' }, () => 'extranet:520102')).toBe(false);
  });
});
