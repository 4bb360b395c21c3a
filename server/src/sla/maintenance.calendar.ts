import type { Scope } from '../common/domain-events.js';
import { findService } from './sla.catalog.js';
import { parseHhmm, weekdayMinute } from './sla.time.js';

/**
 * Maintenance windows as pure data and the question "does an approved window cover this service at
 * this minute?" (docs/SLA.md, "Maintenance"). No clock, no I/O.
 */
/** `cancelled`: withdrawn by whoever requested it (or ops) before a decision; kept for the record. */
export type WindowState = 'requested' | 'approved' | 'rejected' | 'cancelled';

export type WindowSchedule =
  | { kind: 'once'; start: number; end: number }
  /**
   * Every week on `weekdays` (1 = Monday … 7 = Sunday) at `startTime` (`HH:MM`, Asia/Shanghai) for
   * `durationMinutes` (may run past midnight), from `from` and until `until` (epoch ms, optional).
   */
  | { kind: 'weekly'; weekdays: number[]; startTime: string; durationMinutes: number; from: number; until: number | null };

export interface MaintenanceWindow {
  id: string;
  title: string;
  /** Services (`extranet:520103`, `cloud`...) and districts/zones (every extranet service of that unit). */
  services: string[];
  districts: string[];
  schedule: WindowSchedule;
  state: WindowState;
  requestedBy: string;
  /** When it was registered: only minutes from then on can become MAINT (registered ahead). */
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  note: string | null;
}

/** Whether the window's scope includes the service. A district names its own extranet service. */
export function windowScopesService(w: Pick<MaintenanceWindow, 'services' | 'districts'>, service: string): boolean {
  if (w.services.includes(service)) return true;
  const def = findService(service);
  return !!def?.unit && w.districts.includes(def.unit);
}

/** Whether the schedule covers the instant `t` (epoch ms). */
export function scheduleCovers(s: WindowSchedule, t: number): boolean {
  if (s.kind === 'once') return t >= s.start && t < s.end;
  if (t < s.from || (s.until !== null && t >= s.until)) return false;
  const start = parseHhmm(s.startTime);
  if (start === undefined) return false;
  const p = weekdayMinute(t);
  // The occurrence may have begun on an earlier day when it runs past midnight.
  const spanDays = Math.ceil((start + s.durationMinutes) / 1440);
  for (let d = 0; d < spanDays; d++) {
    const weekday = ((p.weekday - 1 - d + 7 * 52) % 7) + 1;
    if (!s.weekdays.includes(weekday)) continue;
    const offset = p.minuteOfDay + d * 1440 - start;
    if (offset >= 0 && offset < s.durationMinutes) return true;
  }
  return false;
}

/**
 * Whether an approved window makes the minute starting at `minute` MAINT for `service`: the window
 * covers the whole minute's start, and it was registered no later than that minute began (a window
 * entered after the fact changes nothing; that takes a reclassification).
 */
export function maintenanceCovers(windows: readonly MaintenanceWindow[], service: string, minute: number): boolean {
  for (const w of windows) {
    if (w.state !== 'approved' || w.requestedAt > minute) continue;
    if (windowScopesService(w, service) && scheduleCovers(w.schedule, minute)) return true;
  }
  return false;
}

/** Whether a window's scope matches an alert scope (service, district/unit, or a node's service). */
export function windowMatchesScope(w: MaintenanceWindow, scope: Scope, serviceOfNode?: (node: string) => string | undefined): boolean {
  if (scope.service && windowScopesService(w, scope.service)) return true;
  if (scope.district && (w.districts.includes(scope.district) || w.services.includes(`extranet:${scope.district}`))) return true;
  if (scope.node && serviceOfNode) {
    const svc = serviceOfNode(scope.node);
    if (svc && windowScopesService(w, svc)) return true;
  }
  return false;
}

/** The span `[from, to)` a schedule can touch (a weekly one without end: open, so `to` = Infinity). */
export function scheduleSpan(s: WindowSchedule): { from: number; to: number } {
  if (s.kind === 'once') return { from: s.start, to: s.end };
  return { from: s.from, to: s.until ?? Infinity };
}
