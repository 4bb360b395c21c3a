import { describe, expect, it } from '@jest/globals';
import { asOfDay, flagsOf, isOmAtRisk, isOverdue, isPrematureGoLive, isStalled, summarise, trialDays, verificationClock } from './migration.flags.js';
import type { MigrationState, StateDates, SystemRecord } from './migration.model.js';

function sys(state: MigrationState, stateDates: StateDates, more: Partial<SystemRecord> = {}): SystemRecord {
  return {
    id: 's1', name: '云岩区人社局社保业务系统', agencyId: 'ag1', district: '520103', track: 'existing', fundingMode: 'fiscal_build',
    omCostYuan: 300_000, fiscalOm: true, targetDate: null, state, stateDates, exemptBasis: null, heldFrom: null, note: null, ...more,
  };
}

describe('overdue', () => {
  it.each<[string, MigrationState, string | null, string, boolean]>([
    ['the day after the target, still migrating', 'migrating', '2026-06-30', '2026-07-01', true],
    ['on the target day itself', 'migrating', '2026-06-30', '2026-06-30', false],
    ['on hold past the target', 'on_hold', '2026-06-30', '2026-09-01', true],
    ['migrated late is done, not overdue', 'migrated', '2026-06-30', '2026-09-01', false],
    ['decommissioned', 'legacy_decommissioned', '2026-06-30', '2026-09-01', false],
    ['exempt', 'exempt', '2026-06-30', '2026-09-01', false],
    ['retired', 'retired', '2026-06-30', '2026-09-01', false],
    ['no target agreed', 'assessed', null, '2030-01-01', false],
  ])('%s', (_what, state, target, today, expected) => {
    expect(isOverdue({ state, targetDate: target }, today)).toBe(expected);
  });
});

describe('stalled', () => {
  it.each<[string, MigrationState, string, string, boolean]>([
    ['assessed 61 days (limit 60)', 'assessed', '2026-01-01', '2026-03-03', true],
    ['assessed 60 days', 'assessed', '2026-01-01', '2026-03-02', false],
    ['trial 31 days (limit 30)', 'trial', '2026-05-01', '2026-06-01', true],
    ['migrating 90 days', 'migrating', '2026-01-01', '2026-04-01', false],
    ['migrated 91 days with the legacy still running', 'migrated', '2026-01-01', '2026-04-02', true],
    ['exempt never stalls', 'exempt', '2020-01-01', '2026-04-02', false],
    ['retired never stalls', 'retired', '2020-01-01', '2026-04-02', false],
  ])('%s', (_what, state, since, today, expected) => {
    expect(isStalled({ state, stateDates: { [state]: since } }, today)).toBe(expected);
  });

  it('takes other limits', () => {
    expect(isStalled({ state: 'assessed', stateDates: { assessed: '2026-01-01' } }, '2026-01-12', { assessed: 10 })).toBe(true);
  });
});

describe('verification breach (5 working days from acceptance, official calendar)', () => {
  it.each<[string, MigrationState, StateDates, string, boolean, number]>([
    // Friday before the 2026 Spring Festival: the deadline is Fri Feb 27 (Sat 14 make-up, Tue 24 – Fri 27)
    ['accepted Fri 2026-02-13, verified Fri 02-27: day 5, on time', 'verified', { accepted: '2026-02-13', verified: '2026-02-27' }, '2026-03-10', false, 5],
    ['accepted Fri 2026-02-13, verified on the make-up Saturday 02-28: day 6, breach', 'verified', { accepted: '2026-02-13', verified: '2026-02-28' }, '2026-03-10', true, 6],
    ['accepted 2026-02-13, still waiting on 02-27', 'accepted', { accepted: '2026-02-13' }, '2026-02-27', false, 5],
    ['accepted 2026-02-13, still waiting on the make-up Saturday 02-28', 'accepted', { accepted: '2026-02-13' }, '2026-02-28', true, 6],
    ['accepted 2026-09-30, verified Tue 10-13 after National Day and make-up Sat 10-10', 'migrating', { accepted: '2026-09-30', verified: '2026-10-13', migrating: '2026-10-14' }, '2026-11-01', false, 5],
    ['accepted 2026-09-30, verified Wed 10-14', 'migrating', { accepted: '2026-09-30', verified: '2026-10-14', migrating: '2026-10-14' }, '2026-11-01', true, 6],
    ['2025: accepted Fri 01-24, verified Fri 02-07 after Spring Festival', 'verified', { accepted: '2025-01-24', verified: '2025-02-07' }, '2025-03-01', false, 5],
    ['2025: accepted Fri 09-26, verified Sat 10-11 (make-up day) after National Day', 'verified', { accepted: '2025-09-26', verified: '2025-10-11' }, '2025-11-01', true, 6],
  ])('%s', (_what, state, dates, today, breach, workingDays) => {
    const clock = verificationClock({ state, stateDates: dates }, today)!;
    expect(clock.breach).toBe(breach);
    expect(clock.workingDays).toBe(workingDays);
    expect(clock.calendarComplete).toBe(true);
    expect(flagsOf(sys(state, dates), today).verificationBreach).toBe(breach);
  });

  it('has no clock without an accepted day, or after a return without verification', () => {
    expect(verificationClock({ state: 'applied', stateDates: { applied: '2026-01-01' } }, '2026-03-01')).toBeNull();
    expect(verificationClock({ state: 'assessed', stateDates: { accepted: '2026-01-05', assessed: '2026-01-30' } }, '2026-03-01')).toBeNull();
  });

  it('says when the calendar of a year is not known (weekends only)', () => {
    const clock = verificationClock({ state: 'accepted', stateDates: { accepted: '2090-01-02' } }, '2090-01-20')!;
    expect(clock.calendarComplete).toBe(false);
    expect(clock.deadline).toBe('2090-01-09');
  });
});

describe('premature go-live (trial shorter than 10 days)', () => {
  it.each<[string, MigrationState, StateDates, boolean, number | null]>([
    ['trial 9 days', 'migrated', { verified: '2026-03-01', trial: '2026-03-10', migrated: '2026-03-19' }, true, 9],
    ['trial 10 days', 'migrated', { verified: '2026-03-01', trial: '2026-03-10', migrated: '2026-03-20' }, false, 10],
    ['a short trial state even 30 days after verification', 'migrated', { verified: '2026-02-01', trial: '2026-03-02', migrated: '2026-03-05' }, true, 3],
    ['no trial day: counted from verification', 'legacy_decommissioned', { verified: '2026-03-01', migrated: '2026-03-06', legacy_decommissioned: '2026-04-01' }, true, 5],
    ['still in trial: not yet', 'trial', { verified: '2026-03-01', trial: '2026-03-02' }, false, null],
    ['migrated without any day to count from', 'migrated', { migrated: '2026-03-06' }, false, null],
  ])('%s', (_what, state, dates, premature, days) => {
    expect(isPrematureGoLive({ state, stateDates: dates })).toBe(premature);
    expect(trialDays({ stateDates: dates })).toBe(days);
  });
});

describe('O&M at risk (Article 11)', () => {
  it.each<[MigrationState, boolean, boolean]>([
    ['inventoried', true, true],
    ['trial', true, true],
    ['on_hold', true, true],
    ['migrated', true, false],
    ['legacy_decommissioned', true, false],
    ['exempt', true, false],
    ['retired', true, false],
    ['assessed', false, false],
  ])('%s with fiscal O&M %s: at risk %s', (state, fiscalOm, risk) => {
    expect(isOmAtRisk({ state, fiscalOm })).toBe(risk);
  });
});

describe('summary of a unit', () => {
  const today = '2026-11-27';
  const records = [
    sys('migrated', { migrated: '2026-05-01' }, { id: 'a' }),
    sys('legacy_decommissioned', { legacy_decommissioned: '2026-06-01' }, { id: 'b' }),
    sys('migrating', { migrating: '2026-11-01' }, { id: 'c', targetDate: '2026-10-31', omCostYuan: 120_000 }),
    sys('assessed', { assessed: '2026-11-01' }, { id: 'd', omCostYuan: 80_000 }),
    sys('assessed', { assessed: '2026-11-01' }, { id: 'e', fiscalOm: false }),
    sys('exempt', { exempt: '2026-01-01' }, { id: 'f', exemptBasis: '《中华人民共和国保守国家秘密法》' }),
    sys('retired', { retired: '2026-01-01' }, { id: 'g' }),
  ];

  it('counts states, the migration rate with its numerator and denominator, flags and the cost at risk', () => {
    const s = summarise('520103', records, today);
    expect(s.inScope).toBe(7);
    expect(s.counts.assessed).toBe(2);
    expect(s.migrated).toBe(2);
    expect(s.denominator).toBe(5);
    expect(s.migrationRate).toBeCloseTo(0.4);
    expect(s.overdue).toBe(1);
    expect(s.omAtRisk).toBe(2);
    expect(s.omAtRiskYuan).toBe(200_000);
  });

  it('has no rate when nothing is left in scope', () => {
    expect(summarise('gy-bonded', [], today).migrationRate).toBeNull();
    expect(summarise('gy-bonded', [records[5], records[6]], today).migrationRate).toBeNull();
  });
});

describe('as of a past day', () => {
  const r = sys('migrated', { inventoried: '2026-01-10', assessed: '2026-02-01', applied: '2026-03-01', accepted: '2026-03-02', verified: '2026-03-04', trial: '2026-03-10', migrated: '2026-04-15' }, { targetDate: '2026-03-31' });

  it.each<[string, MigrationState | null]>([
    ['2026-01-09', null],
    ['2026-01-31', 'inventoried'],
    ['2026-03-02', 'accepted'],
    ['2026-03-31', 'trial'],
    ['2026-04-30', 'migrated'],
  ])('on %s it stood %s', (day, state) => {
    expect(asOfDay(r, day)?.state ?? null).toBe(state);
  });

  it('is overdue at the end of a month it was late in, and not after', () => {
    expect(isOverdue(asOfDay(r, '2026-04-10')!, '2026-04-10')).toBe(true);
    expect(isOverdue(asOfDay(r, '2026-04-30')!, '2026-04-30')).toBe(false);
  });
});
