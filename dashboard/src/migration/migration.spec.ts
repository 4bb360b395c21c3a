import { describe, expect, it } from '@jest/globals';
import {
  EMPTY_FILTERS,
  actorName,
  applyClientFilters,
  countByFlag,
  countByState,
  createBodyOf,
  filtersFromQuery,
  formOf,
  formProblems,
  formatDateTime,
  forwardJumps,
  skippedStates,
  groupHistory,
  patchOf,
  queryOfFilters,
  stateStep,
  systemsUrl,
  type SystemView,
} from './migration';

const flags = { overdue: false, overdueDays: 0, stalled: false, daysInState: 3, verificationBreach: false, verification: null, prematureGoLive: false, trialDays: null, omAtRisk: false, omAtRiskYuan: 0 };
function sys(over: Partial<SystemView> = {}): SystemView {
  return {
    id: 'yy-001', name: '社保业务系统', agencyId: 'ag-1', agencyName: '云岩区人社局', district: '520103', track: 'existing', fundingMode: 'fiscal_build',
    omCostYuan: 300000, fiscalOm: true, targetDate: '2026-06-30', state: 'assessed', stateDates: { inventoried: '2026-01-05', assessed: '2026-02-10' },
    exemptBasis: null, heldFrom: null, note: null, createdAt: 1, updatedAt: 2, flags, allowedNext: ['applied'], evidence: { expectedOnCloud: false, unitRunning: null, unitSeenAt: null, systemSeenAt: null, systemState: null, mismatch: false },
    ...over,
  };
}

describe('migration view helpers', () => {
  it('reads filters from the URL and drops unknown values', () => {
    expect(filtersFromQuery({ district: '520103', flag: 'overdue', state: 'bogus', track: 'new', agency: 'ag-1' })).toEqual({ ...EMPTY_FILTERS, district: '520103', flag: 'overdue', track: 'new', agency: 'ag-1' });
    expect(filtersFromQuery({ district: '520199', flag: ['overdue'] })).toEqual(EMPTY_FILTERS);
    expect(filtersFromQuery({ district: '520100' }).district).toBe('520100');
    expect(queryOfFilters({ ...EMPTY_FILTERS, district: '520103', q: 'x' })).toEqual({ district: '520103', q: 'x' });
  });

  it('sends the server its filters and keeps track and text for the page', () => {
    expect(systemsUrl(EMPTY_FILTERS)).toBe('/api/v1/migration/systems');
    expect(systemsUrl({ ...EMPTY_FILTERS, district: '520103', flag: 'om_at_risk', track: 'new', q: 'a b' })).toBe('/api/v1/migration/systems?district=520103&flag=om_at_risk');
    const list = [sys(), sys({ id: 'x2', name: '就业平台', track: 'new' }), sys({ id: 'x3', agencyName: '花溪区教育局' })];
    expect(applyClientFilters(list, { ...EMPTY_FILTERS, track: 'new' }).map((s) => s.id)).toEqual(['x2']);
    expect(applyClientFilters(list, { ...EMPTY_FILTERS, q: '教育' }).map((s) => s.id)).toEqual(['x3']);
    expect(applyClientFilters(list, { ...EMPTY_FILTERS, q: 'YY-0' }).map((s) => s.id)).toEqual(['yy-001']);
  });

  it('counts what is listed per state and per flag', () => {
    const list = [sys(), sys({ state: 'migrated' }), sys({ flags: { ...flags, overdue: true, omAtRisk: true } })];
    const c = countByState(list);
    expect(c.assessed).toBe(2);
    expect(c.migrated).toBe(1);
    expect(c.on_hold).toBe(0);
    expect(countByFlag(list)).toEqual({ overdue: 1, stalled: 0, verification_breach: 0, premature_go_live: 0, om_at_risk: 1 });
    expect(stateStep('accepted')).toBe('4/9');
    expect(stateStep('exempt')).toBe('');
  });

  it('offers forward jumps along the main path with the states they skip', () => {
    expect(forwardJumps('assessed', ['applied', 'inventoried', 'exempt', 'retired', 'on_hold'])).toEqual(['accepted', 'verified', 'migrating', 'trial', 'migrated', 'legacy_decommissioned']);
    expect(forwardJumps('verified', ['migrating', 'trial', 'assessed', 'retired', 'on_hold'])).toEqual(['migrated', 'legacy_decommissioned']);
    expect(forwardJumps('exempt', ['inventoried', 'retired'])).toEqual([]);
    expect(forwardJumps('legacy_decommissioned', ['retired'])).toEqual([]);
    expect(skippedStates('assessed', 'migrating')).toEqual(['applied', 'accepted', 'verified']);
    expect(skippedStates('assessed', 'applied')).toEqual([]);
    expect(skippedStates('migrating', 'assessed')).toEqual([]);
  });

  it('groups history rows by change, newest first, with the user name', () => {
    const sys = { entity: 'system' as const, entityId: 'yy-001' };
    const rows = [
      { ...sys, changeId: 'a', at: 1000, actor: 'import', source: 'seed', field: 'name', before: null, after: 'x' },
      { ...sys, changeId: 'a', at: 1000, actor: 'import', source: 'seed', field: 'state', before: null, after: 'inventoried' },
      { ...sys, changeId: 'b', at: 5000, actor: 'user:admin', source: 'api', field: 'state', before: 'inventoried', after: 'assessed' },
    ];
    const g = groupHistory(rows);
    expect(g.map((c) => [c.changeId, c.actor, c.fields.length])).toEqual([['b', 'admin', 1], ['a', 'import', 2]]);
    expect(actorName('user:张三')).toBe('张三');
    expect(formatDateTime(Date.UTC(2026, 10, 27, 2, 42, 5))).toBe('2026-11-27 10:42:05');
  });

  it('patches only the fields changed, creates with the optional fields filled', () => {
    const s = sys();
    const f = formOf(s);
    expect(patchOf(s, f)).toEqual({});
    expect(patchOf(s, { ...f, omCostYuan: '250000', targetDate: '', note: ' 备注 ' })).toEqual({ omCostYuan: 250000, targetDate: null, note: '备注' });
    expect(formProblems({ ...f, name: ' ', omCostYuan: '12.5万' })).toEqual({ name: 'required', omCostYuan: 'wholeYuan' });
    expect(createBodyOf({ ...f, targetDate: '', note: '' }, 'inventoried', '')).toEqual({
      name: '社保业务系统', agencyId: 'ag-1', district: '520103', track: 'existing', fundingMode: 'fiscal_build', omCostYuan: 300000, fiscalOm: true,
    });
    expect(createBodyOf(f, 'assessed', '2026-03-01')).toMatchObject({ state: 'assessed', stateDates: { assessed: '2026-03-01' }, targetDate: '2026-06-30' });
  });
});
