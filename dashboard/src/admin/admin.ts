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
}

/** The JSON body of a contract form (services comma- or space-separated), or the wrong field. */
export function contractBody(f: ContractForm): { ok: true; body: Record<string, unknown> } | { ok: false; field: keyof ContractForm } {
  if (!f.operator.trim()) return { ok: false, field: 'operator' };
  const services = f.services.split(/[\s,，]+/).map((s) => s.trim()).filter(Boolean);
  if (services.length === 0) return { ok: false, field: 'services' };
  const target = Number(f.targetPct);
  if (!Number.isFinite(target) || target <= 0 || target > 100) return { ok: false, field: 'targetPct' };
  const minOutage = Number(f.minOutageMinutes);
  if (!Number.isInteger(minOutage) || minOutage < 1 || minOutage > 60) return { ok: false, field: 'minOutageMinutes' };
  const body: Record<string, unknown> = { operator: f.operator.trim(), services, targetPct: target, minOutageMinutes: minOutage };
  if (f.name.trim()) body.name = f.name.trim();
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
