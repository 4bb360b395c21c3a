import { describe, expect, it } from '@jest/globals';
import { maintenanceCovers, scheduleCovers, windowMatchesScope, type MaintenanceWindow } from './maintenance.calendar.js';
import { effectiveState, errorBudget, periodFigures } from './sla.scoring.js';

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

describe('a weekly window in the scoring (every Tuesday 02:00–04:00)', () => {
  // 2026-11-24 is a Tuesday. The window was registered a week ahead and approved.
  const tuesday = { kind: 'weekly' as const, weekdays: [2], startTime: '02:00', durationMinutes: 120, from: local(2026, 11, 1, 0), until: null };
  const weekly = win({ services: ['extranet:520121'], schedule: tuesday, requestedAt: local(2026, 11, 17, 0) });
  /** Tuesday 01:00–05:00 (240 minutes), every one observed DOWN, with the windows given. */
  const night = (windows: MaintenanceWindow[], from = local(2026, 11, 24, 1)) =>
    Array.from({ length: 240 }, (_, i) => effectiveState('DOWN', { maintenance: maintenanceCovers(windows, 'extranet:520121', from + i * 60_000) }));

  it('makes its 120 minutes MAINT and leaves the rest DOWN; availability counts only the others', () => {
    const states = night([weekly]);
    expect(states.slice(59, 62)).toEqual(['DOWN', 'MAINT', 'MAINT']); // 01:59, 02:00, 02:01
    expect(states.slice(178, 181)).toEqual(['MAINT', 'MAINT', 'DOWN']); // 03:58, 03:59, 04:00
    const f = periodFigures(states, local(2026, 11, 24, 1), { minOutageMinutes: 1, hours: { kind: '24x7' } });
    expect(f).toMatchObject({ minutes: 240, maint: 120, down: 120, up: 0 });
    // The budget of a 30-day month at 99.9 % shrinks by the window's minutes.
    expect(errorBudget(99.9, 43_200, f.maint, f.down).totalMinutes).toBeCloseTo(0.001 * (43_200 - 120), 6);
  });

  it('covers every Tuesday, not Wednesday; requested, rejected or cancelled windows cover nothing', () => {
    expect(night([weekly], local(2026, 12, 1, 1)).filter((s) => s === 'MAINT')).toHaveLength(120); // the next Tuesday
    expect(night([weekly], local(2026, 11, 25, 1)).filter((s) => s === 'MAINT')).toHaveLength(0); // Wednesday
    for (const state of ['requested', 'rejected', 'cancelled'] as const) {
      expect(night([{ ...weekly, state }]).filter((s) => s === 'MAINT')).toHaveLength(0);
    }
  });

  it('counts no occurrence before it was registered', () => {
    const late = { ...weekly, requestedAt: local(2026, 11, 24, 3) }; // registered in the middle of the first one
    const states = night([late]);
    expect(states.filter((s) => s === 'MAINT')).toHaveLength(60); // 03:00–04:00 only
    expect(states[60]).toBe('DOWN'); // 02:00
  });
});
