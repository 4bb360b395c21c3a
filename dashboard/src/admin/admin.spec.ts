import { describe, expect, it } from '@jest/globals';
import { contractBody, contractForm, formatDateTime, type ContractForm, newUserBody, reportFromDetails, ruleEditBody, userFormProblems } from './admin';

describe('new user form', () => {
  const base = { username: 'wang.li', role: 'leader' as const, district: '', operator: '', password: '' };
  it('accepts a leader with a generated password (no password sent)', () => {
    expect(userFormProblems(base)).toEqual({});
    expect(newUserBody(base)).toEqual({ username: 'wang.li', role: 'leader' });
  });
  it.each([
    [{ username: '' }, { username: 'required' }],
    [{ username: 'a' }, { username: 'pattern' }],
    [{ username: '王丽' }, { username: 'pattern' }],
    [{ role: 'district' as const }, { district: 'districtNeeded' }],
    [{ role: 'operator' as const }, { operator: 'operatorNeeded' }],
  ])('%j → %j', (change, problems) => expect(userFormProblems({ ...base, ...change })).toEqual(problems));
  it('sends a district only for a district user', () => {
    expect(newUserBody({ ...base, role: 'district', district: '520103' })).toEqual({ username: 'wang.li', role: 'district', district: '520103' });
    expect(newUserBody({ ...base, role: 'ops', district: '520103' })).toEqual({ username: 'wang.li', role: 'ops' });
  });
});

describe('rule edit', () => {
  it('takes seconds and sends milliseconds', () => {
    expect(ruleEditBody({ threshold: '45.5', forS: '300', severity: 'P2', enabled: false })).toEqual({ ok: true, body: { threshold: 45.5, forMs: 300_000, severity: 'P2', enabled: false } });
  });
  it.each([
    [{ threshold: '' }, 'threshold'],
    [{ threshold: 'abc' }, 'threshold'],
    [{ forS: '-1' }, 'forS'],
    [{ forS: '' }, 'forS'],
  ])('%j is refused on %s', (change, field) => {
    expect(ruleEditBody({ threshold: '1', forS: '0', severity: 'P3', enabled: true, ...change })).toEqual({ ok: false, field });
  });
});

describe('contract form', () => {
  const f: ContractForm = {
    operator: ' 中国电信 ', name: '', services: 'extranet:520102，extranet:520103  cloud', targetPct: '99.9', minOutageMinutes: '1',
    hoursKind: '24x7', days: [1, 2, 3, 4, 5], hoursFrom: '08:00', hoursTo: '18:00', effectiveFrom: '',
  };
  it('splits services on commas (either width) and spaces', () => {
    expect(contractBody(f)).toEqual({ ok: true, body: { operator: '中国电信', services: ['extranet:520102', 'extranet:520103', 'cloud'], targetPct: 99.9, minOutageMinutes: 1, hours: { kind: '24x7' } } });
  });
  it('sends working hours and the effective date as Beijing midnight', () => {
    const r = contractBody({ ...f, hoursKind: 'weekly', days: [5, 1, 3, 3], effectiveFrom: '2026-12-01' });
    expect(r.ok && r.body).toMatchObject({ hours: { kind: 'weekly', days: [1, 3, 5], from: '08:00', to: '18:00' }, effectiveFrom: Date.UTC(2026, 10, 30, 16) });
  });
  it('fills the form from a contract and gives back the same terms', () => {
    const c = { id: 'c', operator: '中国电信', name: null, services: ['cloud'], targetPct: 99.95, minOutageMinutes: 5, hours: { kind: 'weekly' as const, days: [1, 2], from: '09:00', to: '17:30' }, effectiveFrom: Date.UTC(2026, 10, 30, 16) };
    const back = contractBody(contractForm(c));
    expect(back).toEqual({ ok: true, body: { operator: '中国电信', services: ['cloud'], targetPct: 99.95, minOutageMinutes: 5, hours: c.hours, effectiveFrom: c.effectiveFrom } });
  });
  it.each<[Partial<ContractForm>, string]>([
    [{ operator: ' ' }, 'operator'],
    [{ services: ' , ' }, 'services'],
    [{ targetPct: '0' }, 'targetPct'],
    [{ targetPct: '101' }, 'targetPct'],
    [{ minOutageMinutes: '1.5' }, 'minOutageMinutes'],
    [{ hoursKind: 'weekly', days: [] }, 'hours'],
    [{ hoursKind: 'weekly', hoursFrom: '18:00', hoursTo: '08:00' }, 'hours'],
    [{ hoursKind: 'weekly', hoursTo: '24:00' }, 'hours'],
    [{ effectiveFrom: '2026-02-30' }, 'effectiveFrom'],
    [{ effectiveFrom: '明天' }, 'effectiveFrom'],
  ])('%j is refused on %s', (change, field) => expect(contractBody({ ...f, ...change })).toEqual({ ok: false, field }));
});

describe('import report and times', () => {
  it('finds the report in a refused import, nothing in another error', () => {
    const r = { mode: 'all-or-nothing', stored: false, rows: 2, created: 0, updated: 0, unchanged: 0, failed: 1, blankRows: 0, agenciesCreated: 0, errors: [{ row: 3, column: '区县', message: 'x' }] };
    expect(reportFromDetails(r)).toEqual(r);
    expect(reportFromDetails([{ field: 'x' }])).toBeNull();
    expect(reportFromDetails(undefined)).toBeNull();
  });
  it('writes Beijing time', () => expect(formatDateTime(Date.UTC(2026, 10, 26, 18, 5, 9))).toBe('2026-11-27 02:05:09'));
});
