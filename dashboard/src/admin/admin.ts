import { UNITS, findUnit } from '@zhuyun/protocol';
import type { Locale } from '../i18n/messages';

/**
 * The admin views' shapes (as the server's controllers answer) and their client-side checks. The
 * checks only catch what a person can fix before sending; the server checks again and its 400
 * message is shown as written.
 */

export const ROLES = ['admin', 'ops', 'operator', 'leader', 'district'] as const;
export type Role = (typeof ROLES)[number];

export interface UserView {
  id: string;
  username: string;
  role: Role;
  district: string | null;
  operator: string | null;
  createdAt: number;
  disabled: boolean;
}

export interface NewUserForm {
  username: string;
  role: Role;
  district: string;
  operator: string;
  password: string;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/;

/** The problems of a new-user form, by field (message keys under admin.users / admin.common). */
export function userFormProblems(f: NewUserForm): Partial<Record<keyof NewUserForm, string>> {
  const p: Partial<Record<keyof NewUserForm, string>> = {};
  if (!f.username.trim()) p.username = 'required';
  else if (!USERNAME_PATTERN.test(f.username.trim())) p.username = 'pattern';
  if (f.role === 'district' && !f.district) p.district = 'districtNeeded';
  if (f.role === 'operator' && !f.operator.trim()) p.operator = 'operatorNeeded';
  return p;
}

/** The POST body: district only for district users (the server refuses it otherwise), password only when typed. */
export function newUserBody(f: NewUserForm): Record<string, string> {
  const body: Record<string, string> = { username: f.username.trim(), role: f.role };
  if (f.role === 'district' && f.district) body.district = f.district;
  if (f.operator.trim()) body.operator = f.operator.trim();
  if (f.password) body.password = f.password;
  return body;
}

/** Units for a picker: the ten districts then the four zones, named in the language. */
export function unitOptions(locale: Locale): Array<{ code: string; label: string }> {
  return UNITS.map((u) => ({ code: u.code, label: `${locale === 'zh-CN' ? u.zh : u.en}（${u.code}）` }));
}

export function unitLabel(code: string | null | undefined, locale: Locale): string {
  if (!code) return '';
  const u = findUnit(code);
  return u ? (locale === 'zh-CN' ? u.zh : u.en) : code;
}

export interface CollectorView {
  id: string;
  district: string;
  createdAt: number;
  revokedAt: number | null;
  version: string | null;
  lastSeen: number | null;
  state: 'ok' | 'lost' | 'never_seen' | 'revoked';
  silentS: number | null;
  /** Units it may write besides its district, or '*' (docs/SECURITY.md). */
  units: string[] | '*';
}

/** The units field of the registration form: '' none, '*' every unit, else codes split on commas or spaces. */
export function parseUnitsField(text: string): string[] | '*' | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (t === '*') return '*';
  return t.split(/[\s,，]+/).filter((u) => u !== '');
}

export const COLLECTOR_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export interface CellError {
  row: number;
  column: string;
  message: string;
}

export interface ImportReport {
  mode: 'all-or-nothing' | 'row-by-row';
  stored: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  blankRows: number;
  agenciesCreated: number;
  errors: CellError[];
}

/** The report inside a refused all-or-nothing import (the 400's details), if it is one. */
export function reportFromDetails(details: unknown): ImportReport | null {
  const d = details as Partial<ImportReport> | null | undefined;
  return d && typeof d === 'object' && typeof d.rows === 'number' && Array.isArray(d.errors) ? (d as ImportReport) : null;
}

export interface AlertRuleView {
  id: string;
  name: string;
  metric: string;
  scope: Record<string, string>;
  comparison: string;
  threshold: number;
  resolveThreshold: number | null;
  forMs: number;
  severity: 'P1' | 'P2' | 'P3';
  enabled: boolean;
  source: string;
}

export interface RuleEdit {
  threshold: string;
  forS: string;
  severity: 'P1' | 'P2' | 'P3';
  enabled: boolean;
}

/** The PUT body of a rule's edit, or the field that is wrong. forS is seconds (the API takes ms). */
export function ruleEditBody(e: RuleEdit): { ok: true; body: { threshold: number; forMs: number; severity: string; enabled: boolean } } | { ok: false; field: 'threshold' | 'forS' } {
  const threshold = Number(e.threshold);
  if (e.threshold.trim() === '' || !Number.isFinite(threshold)) return { ok: false, field: 'threshold' };
  const forS = Number(e.forS);
  if (e.forS.trim() === '' || !Number.isFinite(forS) || forS < 0 || forS > 30 * 86_400) return { ok: false, field: 'forS' };
  return { ok: true, body: { threshold, forMs: Math.round(forS * 1000), severity: e.severity, enabled: e.enabled } };
}

export interface ContractView {
  id: string;
  operator: string;
  name?: string | null;
  services: string[];
  targetPct: number;
  hours: { kind: '24x7' } | { kind: 'weekly'; days: number[]; from: string; to: string };
  minOutageMinutes: number;
  effectiveFrom?: number | null;
}

export interface ContractForm {
  operator: string;
  name: string;
  services: string;
  targetPct: string;
  minOutageMinutes: string;
  /** Service hours: all day every day, or fixed weekly hours (days 1 = Monday … 7, `HH:MM`, Beijing). */
  hoursKind: '24x7' | 'weekly';
  days: number[];
  hoursFrom: string;
  hoursTo: string;
  /** `YYYY-MM-DD`: in force from Beijing midnight of that day; empty: unchanged (new: from creation). */
  effectiveFrom: string;
}
/** The form's text fields (one input each). */
export type ContractTextField = 'operator' | 'name' | 'services' | 'targetPct' | 'minOutageMinutes';
export type ContractField = ContractTextField | 'hours' | 'effectiveFrom';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const BEIJING_MS = 8 * 3_600_000;

/** Beijing midnight of `YYYY-MM-DD`, or null when it is no date. */
export function beijingDate(v: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  return new Date(t).toISOString().slice(0, 10) === v.trim() ? t - BEIJING_MS : null;
}

/** The form of a contract (to edit it). */
export function contractForm(c: ContractView): ContractForm {
  const weekly = c.hours.kind === 'weekly' ? c.hours : null;
  return {
    operator: c.operator,
    name: c.name ?? '',
    services: c.services.join(', '),
    targetPct: String(c.targetPct),
    minOutageMinutes: String(c.minOutageMinutes),
    hoursKind: c.hours.kind,
    days: weekly ? [...weekly.days] : [1, 2, 3, 4, 5],
    hoursFrom: weekly?.from ?? '08:00',
    hoursTo: weekly?.to ?? '18:00',
    effectiveFrom: c.effectiveFrom ? formatDateTime(c.effectiveFrom).slice(0, 10) : '',
  };
}

/** The JSON body of a contract form (services comma- or space-separated), or the wrong field. */
export function contractBody(f: ContractForm): { ok: true; body: Record<string, unknown> } | { ok: false; field: ContractField } {
  if (!f.operator.trim()) return { ok: false, field: 'operator' };
  const services = f.services.split(/[\s,，]+/).map((s) => s.trim()).filter(Boolean);
  if (services.length === 0) return { ok: false, field: 'services' };
  const target = Number(f.targetPct);
  if (!Number.isFinite(target) || target <= 0 || target > 100) return { ok: false, field: 'targetPct' };
  const minOutage = Number(f.minOutageMinutes);
  if (!Number.isInteger(minOutage) || minOutage < 1 || minOutage > 60) return { ok: false, field: 'minOutageMinutes' };
  let hours: ContractView['hours'] = { kind: '24x7' };
  if (f.hoursKind === 'weekly') {
    // The server wants to > from on the same day (no service hours past midnight).
    if (f.days.length === 0 || !HHMM.test(f.hoursFrom) || !HHMM.test(f.hoursTo) || f.hoursTo <= f.hoursFrom) return { ok: false, field: 'hours' };
    hours = { kind: 'weekly', days: [...new Set(f.days)].sort((a, b) => a - b), from: f.hoursFrom, to: f.hoursTo };
  }
  const body: Record<string, unknown> = { operator: f.operator.trim(), services, targetPct: target, minOutageMinutes: minOutage, hours };
  if (f.name.trim()) body.name = f.name.trim();
  if (f.effectiveFrom.trim()) {
    const at = beijingDate(f.effectiveFrom);
    if (at === null) return { ok: false, field: 'effectiveFrom' };
    body.effectiveFrom = at;
  }
  return { ok: true, body };
}

export interface TopologyEntry {
  node: string;
  parent: string | null;
  role?: string;
  label?: string;
}
export const NODE_ROLES = ['core', 'aggregation', 'access', 'cloud', 'platform'] as const;

export interface AuditRecord {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  before: unknown;
  after: unknown;
  address: string | null;
}

/** `2026-11-27 10:42:05` in Beijing time. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`;
}
