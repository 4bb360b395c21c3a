import { describe, expect, it } from '@jest/globals';
import { beijingMonth, burnDown, calendarCells, dayClass, firstFiguresAt, notEffectiveUntil, formatAvailability, formatDuration, hoursText, monthRange, parseBeijingLocal, shiftMonth, toBeijingLocal, windowBody, windowForm, windowTouches, windowWhen, weeklyDuration, parseBeijingDate, type PeriodFigures, type WindowForm, type MaintenanceWindow } from './sla-model';

const fig = (up: number, down: number, noData = 0): PeriodFigures => ({
  minutes: up + down + noData,
  up,
  down,
  maint: 0,
  noData,
  forgiven: 0,
  rawDown: down,
  availabilityPct: up + down ? (up / (up + down)) * 100 : null,
  noDataPct: 0,
  shortOfEvidence: false,
});

describe('SLA view model', () => {
  it.each([
    [Date.UTC(2026, 10, 30, 15, 59), '2026-11'], // 23:59 Beijing on the 30th
    [Date.UTC(2026, 10, 30, 16, 0), '2026-12'], // midnight Beijing: December
    [Date.UTC(2025, 11, 31, 16, 0), '2026-01'],
  ])('Beijing month of %d is %s', (ms, m) => expect(beijingMonth(ms)).toBe(m));

  it('shifts months across years', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
    expect(shiftMonth('2026-05', -13)).toBe('2025-04');
  });

  it('takes a month from Beijing midnight to Beijing midnight', () => {
    expect(monthRange('2026-02')).toEqual({ start: Date.UTC(2026, 0, 31, 16), end: Date.UTC(2026, 1, 28, 16) });
  });

  it('reads and writes datetime-local fields as Beijing time', () => {
    expect(parseBeijingLocal('2026-11-27T10:30')).toBe(Date.UTC(2026, 10, 27, 2, 30));
    expect(parseBeijingLocal('')).toBeNull();
    expect(toBeijingLocal(Date.UTC(2026, 10, 27, 2, 30))).toBe('2026-11-27T10:30');
  });

  it.each([
    [null, 'zh-CN', '—'],
    [45_000, 'zh-CN', '45 秒'],
    [12 * 60_000, 'zh-CN', '12 分钟'],
    [65 * 60_000, 'zh-CN', '1 小时 5 分'],
    [120 * 60_000, 'en', '2 h'],
    [65 * 60_000, 'en', '1 h 5 min'],
    [47 * 3_600_000, 'zh-CN', '47 小时'],
    [(27 * 24 + 5) * 3_600_000 + 20 * 60_000, 'zh-CN', '27 天 5 小时'],
    [3 * 86_400_000, 'en', '3 d'],
  ] as const)('duration %s in %s: %s', (ms, locale, want) => expect(formatDuration(ms, locale)).toBe(want));

  it('never rounds a shortfall up to the target', () => {
    expect(formatAvailability(99.89999, 'zh-CN')).toBe('99.899%');
    expect(formatAvailability(100, 'en')).toBe('100%');
    expect(formatAvailability(null, 'en')).toBe('—');
  });

  it('writes the service hours', () => {
    expect(hoursText({ kind: '24x7' }, 'zh-CN')).toBe('7×24 小时');
    expect(hoursText({ kind: 'weekly', days: [5, 1], from: '08:00', to: '18:00' }, 'en')).toBe('weekly Mon, Fri 08:00–18:00');
    expect(hoursText({ kind: 'weekly', days: [1, 2], from: '08:00', to: '18:00' }, 'zh-CN')).toBe('每周 一、二 08:00–18:00');
  });

  it('burns the budget down day by day and stops at the first day not scored', () => {
    const start = Date.UTC(2026, 9, 31, 16);
    const day = 86_400_000;
    const pts = burnDown(
      [
        { date: '2026-11-01', start, figures: fig(1440, 0) },
        { date: '2026-11-02', start: start + day, figures: fig(1430, 10) },
        { date: '2026-11-03', start: start + 2 * day, figures: fig(600, 40) }, // part of a day
        { date: '2026-11-04', start: start + 3 * day, figures: null },
      ],
      43.2,
      start,
    );
    expect(pts.map((p) => p.left)).toEqual([43.2, 43.2, 33.2, 43.2 - 50]);
    expect(pts[3].t).toBe(start + 2 * day + 640 * 60_000);
    expect(pts[1].t).toBe(start + day);
  });

  it.each([
    [null, 'future'],
    [fig(0, 0, 1440), 'noData'],
    [fig(1440, 0), 'full'],
    [fig(1439, 1), 'met'], // 99.93 %
    [fig(1400, 40), 'missed'],
  ] as const)('day %j is %s', (f, want) => expect(dayClass(f, 99.9)).toBe(want));

  it('a day before the contract took effect is its own class, not "no data" (issue 15, item 8)', () => {
    expect(dayClass(null, 99.9, 'notEffective')).toBe('notEffective');
    expect(dayClass(null, 99.9, 'future')).toBe('future');
    expect(dayClass(fig(1440, 0), 99.9, 'counted')).toBe('full');
  });

  it('burns the budget down from the effective date, over the days before it', () => {
    const start = Date.UTC(2026, 10, 30, 16); // 2026-12-01 Beijing
    const day = 86_400_000;
    const effective = start + 2 * day + 10 * 3_600_000; // the 3rd, 10:00
    const pts = burnDown(
      [
        { date: '2026-12-01', start, state: 'notEffective', figures: null },
        { date: '2026-12-02', start: start + day, state: 'notEffective', figures: null },
        { date: '2026-12-03', start: start + 2 * day, state: 'counted', figures: fig(830, 10) }, // 10:00–24:00
        { date: '2026-12-04', start: start + 3 * day, state: 'future', figures: null },
      ],
      30,
      start,
      effective,
    );
    expect(pts).toEqual([{ t: effective, left: 30 }, { t: start + 3 * day, left: 20 }]);
  });

  it('says until when a month is not under the contract', () => {
    const start = Date.UTC(2026, 10, 30, 16);
    expect(notEffectiveUntil({ effective: 'none', contract: { effectiveFrom: start + 5 } })).toBe(start + 5);
    expect(notEffectiveUntil({ effective: 'partial', contract: { effectiveFrom: start + 5 } })).toBeNull();
  });

  it('after a fresh start, says when the first figures come (the grace), and nothing once measured (newcomer)', () => {
    const now = Date.UTC(2026, 11, 3, 6, 45, 20);
    const waiting = { month: '2026-12', effective: 'partial' as const, graceMinutes: 2, total: { up: 0, down: 0 }, contract: { effectiveFrom: now - 60_000 } };
    // Data of the current minute (14:45) is final after it ends and 2 minutes of grace: 14:48.
    expect(firstFiguresAt(waiting, now)).toBe(Date.UTC(2026, 11, 3, 6, 48));
    expect(firstFiguresAt({ ...waiting, total: { up: 1, down: 0 } }, now)).toBeNull();
    expect(firstFiguresAt({ ...waiting, month: '2026-11' }, now)).toBeNull();
    expect(firstFiguresAt({ ...waiting, effective: 'none' as const }, now)).toBeNull();
    // A contract that takes effect later: nothing to wait for yet.
    expect(firstFiguresAt({ ...waiting, contract: { effectiveFrom: now + 3_600_000 } }, now)).toBeNull();
  });

  it('starts the calendar on Monday', () => {
    // 2026-11-01 is a Sunday: six blanks first.
    const start = Date.UTC(2026, 9, 31, 16);
    const cells = calendarCells([{ start }, { start: start + 86_400_000 }]);
    expect(cells.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(cells[6]).toEqual({ start });
    expect(calendarCells([])).toEqual([]);
  });

  it('finds the windows touching the contract', () => {
    expect(windowTouches({ services: [], districts: ['520103'] }, ['extranet:520103'])).toBe(true);
    expect(windowTouches({ services: ['cloud'], districts: [] }, ['extranet:520103'])).toBe(false);
    expect(windowTouches({ services: ['extranet:520103'], districts: [] }, ['extranet:520103'])).toBe(true);
  });
});

describe('maintenance window form', () => {
  const B = 8 * 3_600_000;
  const weeklyForm: WindowForm = {
    kind: 'weekly', title: ' 核心交换机巡检 ', services: ['extranet:520121'], districts: [], note: '',
    start: '', end: '', weekdays: [4, 2, 2], startTime: '02:00', endTime: '04:00', fromDate: '2026-12-01', untilDate: '',
  };

  it('reads Beijing dates and refuses impossible ones', () => {
    expect(parseBeijingDate('2026-12-01')).toBe(Date.UTC(2026, 11, 1) - B);
    expect(parseBeijingDate('2026-02-30')).toBeNull();
    expect(parseBeijingDate('2026-1-1')).toBeNull();
  });

  it.each([
    ['02:00', '04:00', 120],
    ['22:00', '02:00', 240], // past midnight
    ['03:00', '03:00', 1440],
    ['24:00', '02:00', null],
    ['2:00', '04:00', null],
  ] as const)('weekly %s–%s lasts %s minutes', (a, b, want) => expect(weeklyDuration(a, b)).toBe(want));

  it('makes the weekly schedule the server takes: every Tuesday and Thursday 02:00–04:00 from Beijing midnight', () => {
    expect(windowBody(weeklyForm)).toEqual({
      ok: true,
      body: {
        title: '核心交换机巡检',
        services: ['extranet:520121'],
        districts: [],
        schedule: { kind: 'weekly', weekdays: [2, 4], startTime: '02:00', durationMinutes: 120, from: Date.UTC(2026, 11, 1) - B, until: null },
      },
    });
    // The last day is included: until is the midnight after it.
    const r = windowBody({ ...weeklyForm, untilDate: '2026-12-31' });
    expect(r.ok && (r.body.schedule as { until: number }).until).toBe(Date.UTC(2027, 0, 1) - B);
  });

  it.each<[Partial<WindowForm>, string]>([
    [{ title: ' ' }, 'title'],
    [{ services: [] }, 'services'],
    [{ weekdays: [] }, 'weekdays'],
    [{ endTime: '25:00' }, 'times'],
    [{ fromDate: '' }, 'dates'],
    [{ untilDate: '2026-11-30' }, 'dates'],
    [{ kind: 'once', start: '2026-12-01T04:00', end: '2026-12-01T02:00' }, 'times'],
  ])('%j is refused on %s', (change, field) => expect(windowBody({ ...weeklyForm, ...change })).toEqual({ ok: false, field }));

  it('a district alone is a scope; a one-off takes Beijing times', () => {
    const r = windowBody({ ...weeklyForm, kind: 'once', services: [], districts: ['520121'], start: '2026-12-01T02:00', end: '2026-12-01T04:00', note: '割接' });
    expect(r).toEqual({ ok: true, body: { title: '核心交换机巡检', services: [], districts: ['520121'], schedule: { kind: 'once', start: Date.UTC(2026, 10, 30, 18), end: Date.UTC(2026, 10, 30, 20) }, note: '割接' } });
  });

  it('fills the form from a window and gives back the same schedule', () => {
    const w: MaintenanceWindow = {
      id: 'w', title: 't', services: ['share'], districts: ['520103'], state: 'requested', requestedBy: 'op', requestedAt: 0, decidedBy: null, decidedAt: null, note: null,
      schedule: { kind: 'weekly', weekdays: [7], startTime: '23:00', durationMinutes: 180, from: Date.UTC(2026, 11, 1) - B, until: Date.UTC(2027, 0, 1) - B },
    };
    const f = windowForm(w, Date.UTC(2026, 10, 27));
    expect(f).toMatchObject({ kind: 'weekly', weekdays: [7], startTime: '23:00', endTime: '02:00', fromDate: '2026-12-01', untilDate: '2026-12-31' });
    const back = windowBody(f);
    expect(back.ok && back.body.schedule).toEqual(w.schedule);
  });

  it('says when a weekly window applies, past midnight included', () => {
    const s = { kind: 'weekly' as const, weekdays: [2], startTime: '02:00', durationMinutes: 120, from: Date.UTC(2026, 11, 1) - B, until: null };
    expect(windowWhen(s, 'zh-CN')).toBe('每周二 02:00–04:00，自 2026-12-01 起');
    expect(windowWhen({ ...s, weekdays: [7, 6], startTime: '23:00', until: Date.UTC(2027, 0, 1) - B }, 'en')).toBe('every Sat, Sun 23:00–01:00 (next day), 2026-12-01 to 2026-12-31');
  });
});
