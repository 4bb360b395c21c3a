import { describe, expect, it } from '@jest/globals';
import { allowedFrom, applyStateChange, checkRecord, normaliseUnit, transitionAllowed, type MigrationState, type StateDates, type SystemRecord } from './migration.model.js';

const today = '2026-11-27';

function sys(state: MigrationState, stateDates: StateDates, more: Partial<SystemRecord> = {}): SystemRecord {
  return {
    id: 's1', name: '花溪区卫健局基层医疗卫生信息系统', agencyId: 'ag1', district: '520111', track: 'existing', fundingMode: 'fiscal_build',
    omCostYuan: 300_000, fiscalOm: true, targetDate: '2027-06-30', state, stateDates, exemptBasis: null, heldFrom: null, note: null, ...more,
  };
}

describe('transitions', () => {
  it.each<[MigrationState, MigrationState, StateDates, MigrationState | null, boolean]>([
    ['inventoried', 'assessed', {}, null, true],
    ['assessed', 'applied', {}, null, true],
    ['applied', 'accepted', {}, null, true],
    ['accepted', 'verified', {}, null, true],
    ['verified', 'migrating', {}, null, true],
    ['verified', 'trial', {}, null, true],
    ['trial', 'migrated', {}, null, true],
    ['migrated', 'legacy_decommissioned', {}, null, true],
    // rework
    ['accepted', 'assessed', {}, null, true],
    ['trial', 'migrating', {}, null, true],
    // side states
    ['assessed', 'exempt', {}, null, true],
    ['migrating', 'on_hold', {}, null, true],
    ['on_hold', 'migrating', {}, 'migrating', true],
    ['on_hold', 'trial', {}, 'migrating', false],
    ['exempt', 'inventoried', {}, null, true],
    ['retired', 'inventoried', {}, null, false],
    ['accepted', 'on_hold', {}, null, false],
    ['migrated', 'exempt', {}, null, false],
    // forward jumps need the days of the skipped states
    ['applied', 'migrating', {}, null, false],
    ['applied', 'migrating', { accepted: '2026-03-01' }, null, false],
    ['applied', 'migrating', { accepted: '2026-03-01', verified: '2026-03-03' }, null, true],
    ['inventoried', 'migrated', {}, null, false],
    // backwards other than the rework paths
    ['migrated', 'trial', {}, null, false],
  ])('%s -> %s (dates %j, held from %s): %s', (from, to, dates, heldFrom, ok) => {
    expect(transitionAllowed(from, to, dates, heldFrom)).toBe(ok);
  });

  it('lists the next states of a record', () => {
    expect(allowedFrom({ state: 'accepted', heldFrom: null })).toEqual(['verified', 'assessed', 'retired']);
    expect(allowedFrom({ state: 'on_hold', heldFrom: 'migrating' })[0]).toBe('migrating');
    expect(allowedFrom({ state: 'retired', heldFrom: null })).toEqual([]);
  });
});

describe('record rules', () => {
  const fields = (before: SystemRecord | null, after: SystemRecord) => checkRecord(before, after, today).map((e) => e.field);

  it('accepts a coherent record', () => {
    expect(checkRecord(null, sys('verified', { inventoried: '2026-01-01', assessed: '2026-02-01', accepted: '2026-03-01', verified: '2026-03-04' }), today)).toEqual([]);
  });

  it.each<[string, SystemRecord, string[]]>([
    ['exempt without a cited law', sys('exempt', { exempt: '2026-01-01' }), ['exemptBasis']],
    ['exempt citing a law', sys('exempt', { exempt: '2026-01-01' }, { exemptBasis: '《中华人民共和国保守国家秘密法》' }), []],
    ['the current state without its day', sys('assessed', { inventoried: '2026-01-01' }), ['assessedDate']],
    ['a day in the future', sys('assessed', { assessed: '2026-11-28' }), ['assessedDate']],
    ['chain days out of order', sys('verified', { accepted: '2026-03-05', verified: '2026-03-04' }), ['verifiedDate']],
    ['a chain day beyond the current state', sys('applied', { applied: '2026-03-01', verified: '2026-03-04' }), ['verifiedDate']],
    ['on hold without where from', sys('on_hold', { on_hold: '2026-03-01' }), ['heldFrom']],
    ['on hold keeps the days up to where it was held', sys('on_hold', { migrating: '2026-03-01', on_hold: '2026-04-01' }, { heldFrom: 'migrating' }), []],
    ['fiscal_om funding without fiscal O&M', sys('inventoried', { inventoried: '2026-01-01' }, { fundingMode: 'fiscal_om', fiscalOm: false }), ['fiscalOm']],
    ['an unknown district', sys('inventoried', { inventoried: '2026-01-01' }, { district: '520199' }), ['district']],
    ['a cost in fen', sys('inventoried', { inventoried: '2026-01-01' }, { omCostYuan: 10.5 }), ['omCostYuan']],
  ])('%s', (_what, record, expected) => {
    expect(fields(null, record)).toEqual(expected);
  });

  it('refuses a transition outside the graph, naming the allowed ones', () => {
    const before = sys('migrated', { migrated: '2026-05-01' });
    const errors = checkRecord(before, { ...before, state: 'exempt', stateDates: { ...before.stateDates, exempt: '2026-06-01' }, exemptBasis: 'x' }, today);
    expect(errors).toEqual([{ field: 'state', message: expect.stringMatching(/migrated -> exempt is not allowed; from migrated: legacy_decommissioned, retired/) }]);
  });

  it('asks for the skipped days on a forward jump', () => {
    const before = sys('applied', { applied: '2026-03-01' });
    const errors = checkRecord(before, { ...before, state: 'migrating', stateDates: { ...before.stateDates, migrating: '2026-04-01' } }, today);
    expect(errors[0].message).toMatch(/unless the dates of the states in between are given \(accepted, verified\)/);
  });
});

describe('state changes (PATCH)', () => {
  it('sets the day of the new state', () => {
    const after = applyStateChange(sys('assessed', { assessed: '2026-02-01' }), 'applied', '2026-03-01');
    expect(after.stateDates).toMatchObject({ assessed: '2026-02-01', applied: '2026-03-01' });
  });

  it('a back move clears the days of the abandoned attempt', () => {
    const before = sys('accepted', { assessed: '2026-02-01', applied: '2026-03-01', accepted: '2026-03-02' });
    const after = applyStateChange(before, 'assessed', '2026-03-09');
    expect(after.stateDates).toMatchObject({ assessed: '2026-03-09', applied: null, accepted: null });
    expect(checkRecord(before, after, today)).toEqual([]);
  });

  it('on hold remembers where from, and resumes there', () => {
    const held = applyStateChange(sys('migrating', { migrating: '2026-03-01' }), 'on_hold', '2026-04-01');
    expect(held.heldFrom).toBe('migrating');
    const resumed = applyStateChange(held, 'migrating', '2026-06-01');
    expect(resumed.heldFrom).toBeNull();
    expect(checkRecord(held, resumed, today)).toEqual([]);
  });
});

describe('units', () => {
  it.each([
    ['520103', '520103'],
    ['520114', '520111'],
    ['云岩区', '520103'],
    ['高新区', 'gy-hitech'],
    ['gy-etdz', 'gy-etdz'],
    ['市本级', '520100'],
    ['520199', undefined],
  ])('%s reads as %s', (input, code) => {
    expect(normaliseUnit(input)).toBe(code);
  });
});
