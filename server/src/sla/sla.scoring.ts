import type { ServiceKind } from './sla.catalog.js';
import { MINUTE_MS, parseHhmm, weekdayMinute } from './sla.time.js';

/**
 * SLA minute scoring and the month's figures: pure functions of the per-minute facts, the terms of
 * a contract and the time range (docs/SLA.md, "Method of calculation"). No clock, no I/O.
 */
export type MinuteState = 'UP' | 'DOWN' | 'MAINT' | 'NO_DATA';
export type ObservedState = 'UP' | 'DOWN' | 'NO_DATA';
export const MINUTE_STATES: readonly MinuteState[] = ['UP', 'DOWN', 'MAINT', 'NO_DATA'];

/** What one node told about one service in one minute (sums of its points' values). */
export interface NodeMinuteFacts {
  node: string;
  /** The unit's aggregation (core) node, from the point's `role` tag. */
  core: boolean;
  /** Health probes that answered (`net.up` / `<platform>.up` = 1) and that failed (= 0). */
  upSamples: number;
  downSamples: number;
  /** Every point of the node in that minute, health probes included. */
  samples: number;
  /** `share.success_pct`: sum and count of its values in the minute. */
  successSum: number;
  successCount: number;
}

/** Sharing platform: a minute whose mean success rate is below this is DOWN (DESIGN: critical 95 %). */
export const SHARE_SUCCESS_CRITICAL_PCT = 95;
/** Extranet and cloud: DOWN when more than this share of the reporting nodes failed the minute. */
export const FAILED_NODES_DOWN_RATIO = 0.5;

/**
 * A node failed a minute when it sent health probes and most of them failed (one 60 s probe: that
 * probe; two vantage points: both). A node with only other points (SNMP counters, host metrics)
 * answered, so it did not fail.
 */
export function nodeFailed(f: NodeMinuteFacts): boolean {
  return f.downSamples > f.upSamples;
}

/**
 * Scores one service minute from the facts of its nodes:
 * - no point at all → NO_DATA;
 * - extranet and cloud → DOWN when every reporting aggregation (core) node failed, or more than
 *   half of the reporting nodes failed; else UP;
 * - sharing and open platforms → DOWN when their health probes failed (most samples 0), or (sharing)
 *   the mean success rate of the minute is below 95 %; else UP.
 */
export function scoreMinute(kind: ServiceKind, facts: readonly NodeMinuteFacts[]): { state: ObservedState; reason: string } {
  const reporting = facts.filter((f) => f.samples > 0);
  if (reporting.length === 0) return { state: 'NO_DATA', reason: 'no point arrived for this minute' };
  if (kind === 'share' || kind === 'open') {
    const up = reporting.reduce((a, f) => a + f.upSamples, 0);
    const down = reporting.reduce((a, f) => a + f.downSamples, 0);
    if (down > up) return { state: 'DOWN', reason: `health probe failed (${down} of ${up + down} samples)` };
    const n = reporting.reduce((a, f) => a + f.successCount, 0);
    if (kind === 'share' && n > 0) {
      const mean = reporting.reduce((a, f) => a + f.successSum, 0) / n;
      if (mean < SHARE_SUCCESS_CRITICAL_PCT) return { state: 'DOWN', reason: `success rate ${mean.toFixed(1)} % < ${SHARE_SUCCESS_CRITICAL_PCT} %` };
    }
    return { state: 'UP', reason: 'health probes answered' };
  }
  const cores = reporting.filter((f) => f.core);
  const failedCores = cores.filter(nodeFailed);
  if (cores.length > 0 && failedCores.length === cores.length) {
    return { state: 'DOWN', reason: `aggregation node down: ${failedCores.map((f) => f.node).join(', ')}` };
  }
  const failed = reporting.filter(nodeFailed);
  if (failed.length > reporting.length * FAILED_NODES_DOWN_RATIO) {
    return { state: 'DOWN', reason: `${failed.length} of ${reporting.length} nodes down` };
  }
  return { state: 'UP', reason: failed.length ? `${failed.length} of ${reporting.length} nodes down (not enough for an outage)` : 'all reporting nodes up' };
}

/**
 * The state a minute counts as: a reclassification wins; else an approved maintenance window makes
 * it MAINT; else what the data say.
 */
export function effectiveState(observed: ObservedState, opts: { maintenance: boolean; reclassifiedTo?: MinuteState }): MinuteState {
  if (opts.reclassifiedTo) return opts.reclassifiedTo;
  if (opts.maintenance) return 'MAINT';
  return observed;
}

// ---------------------------------------------------------------------------------------------
// Service hours

export type ServiceHours =
  | { kind: '24x7' }
  /** `days` 1 = Monday … 7 = Sunday; `from`–`to` local time `HH:MM` (Asia/Shanghai), to > from. */
  | { kind: 'weekly'; days: number[]; from: string; to: string };

/** Whether the minute starting at `minute` lies inside the contract's service hours. */
export function inServiceHours(minute: number, hours: ServiceHours): boolean {
  if (hours.kind === '24x7') return true;
  const p = weekdayMinute(minute);
  if (!hours.days.includes(p.weekday)) return false;
  const from = parseHhmm(hours.from) ?? 0;
  const to = parseHhmm(hours.to) ?? 1440;
  return p.minuteOfDay >= from && p.minuteOfDay < to;
}

// ---------------------------------------------------------------------------------------------
// Month figures

export interface ContractTerms {
  /** Monthly availability target, percent (e.g. 99.9). */
  targetPct: number;
  /** A DOWN run shorter than this many minutes is not an outage: it counts as UP (N = 1 or 5). */
  minOutageMinutes: number;
  hours: ServiceHours;
}

export interface MinuteRow {
  minute: number;
  state: MinuteState;
}

export interface PeriodFigures {
  /** In-hours minutes of the period counted so far (UP + DOWN + MAINT + NO_DATA). */
  minutes: number;
  up: number;
  down: number;
  maint: number;
  noData: number;
  /** Raw DOWN minutes in runs shorter than N, counted as UP (already inside `up`). */
  forgiven: number;
  /** Raw DOWN minutes before the N-minute rule. */
  rawDown: number;
  /** UP / (UP + DOWN), percent; null when nothing was measured. */
  availabilityPct: number | null;
  noDataPct: number;
  /** NO_DATA over 0.5 % of the counted minutes: the month's figure is short of evidence. */
  shortOfEvidence: boolean;
}

export const SHORT_OF_EVIDENCE_PCT = 0.5;

/**
 * Sequence of every minute in `[from, to)`: stored rows where present, NO_DATA where absent. `rows`
 * may be unsorted and may hold minutes outside the range (ignored).
 */
export function denseMinutes(rows: readonly MinuteRow[], from: number, to: number): MinuteState[] {
  const n = Math.max(0, Math.round((to - from) / MINUTE_MS));
  const out: MinuteState[] = new Array(n).fill('NO_DATA');
  for (const r of rows) {
    const i = (r.minute - from) / MINUTE_MS;
    if (i >= 0 && i < n) out[i] = r.state;
  }
  return out;
}

/**
 * Applies the N-minute rule: every DOWN run shorter than `n` minutes becomes UP. The run is judged
 * on the whole sequence (a run that began before the counted range still has its full length only
 * if the caller passes the minutes before it).
 */
export function applyMinOutage(states: readonly MinuteState[], n: number): { states: MinuteState[]; forgiven: boolean[] } {
  const out = states.slice();
  const forgiven = new Array<boolean>(states.length).fill(false);
  if (n <= 1) return { states: out, forgiven };
  let i = 0;
  while (i < out.length) {
    if (out[i] !== 'DOWN') {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && out[j] === 'DOWN') j++;
    if (j - i < n) {
      for (let k = i; k < j; k++) {
        out[k] = 'UP';
        forgiven[k] = true;
      }
    }
    i = j;
  }
  return { states: out, forgiven };
}

/**
 * The figures of a period for one service under a contract's terms. `states[i]` is the minute
 * `from + i·60 s`; only minutes in `count` (default: all) and inside service hours are counted, the
 * others only give DOWN runs their full length for the N-minute rule.
 */
export function periodFigures(
  states: readonly MinuteState[],
  from: number,
  terms: Pick<ContractTerms, 'minOutageMinutes' | 'hours'>,
  count: { from: number; to: number } = { from, to: from + states.length * MINUTE_MS },
): PeriodFigures {
  const { states: counted, forgiven } = applyMinOutage(states, terms.minOutageMinutes);
  const f = { minutes: 0, up: 0, down: 0, maint: 0, noData: 0, forgiven: 0, rawDown: 0 };
  for (let i = 0; i < counted.length; i++) {
    const t = from + i * MINUTE_MS;
    if (t < count.from || t >= count.to || !inServiceHours(t, terms.hours)) continue;
    f.minutes++;
    if (states[i] === 'DOWN') f.rawDown++;
    if (forgiven[i]) f.forgiven++;
    switch (counted[i]) {
      case 'UP': f.up++; break;
      case 'DOWN': f.down++; break;
      case 'MAINT': f.maint++; break;
      default: f.noData++;
    }
  }
  const measured = f.up + f.down;
  const noDataPct = f.minutes ? (f.noData / f.minutes) * 100 : 0;
  return {
    ...f,
    availabilityPct: measured ? (f.up / measured) * 100 : null,
    noDataPct,
    shortOfEvidence: noDataPct > SHORT_OF_EVIDENCE_PCT,
  };
}

/** Minutes of `[from, to)` inside service hours. */
export function inHoursMinutes(from: number, to: number, hours: ServiceHours): number {
  if (hours.kind === '24x7') return Math.max(0, Math.round((to - from) / MINUTE_MS));
  let n = 0;
  for (let t = from; t < to; t += MINUTE_MS) if (inServiceHours(t, hours)) n++;
  return n;
}

export interface ErrorBudget {
  /** DOWN minutes the target allows over the whole month: (1 − target) × (in-hours minutes − MAINT). */
  totalMinutes: number;
  usedMinutes: number;
  leftMinutes: number;
  /** left / total × 100; negative when the budget is overspent. */
  leftPct: number;
}

/**
 * The month's error budget: the DOWN minutes the target allows over the whole month's in-hours
 * minutes less maintenance, minus the DOWN minutes counted so far.
 */
export function errorBudget(targetPct: number, monthInHoursMinutes: number, maintMinutes: number, downMinutes: number): ErrorBudget {
  const total = Math.max(0, ((100 - targetPct) / 100) * Math.max(0, monthInHoursMinutes - maintMinutes));
  const left = total - downMinutes;
  return { totalMinutes: total, usedMinutes: downMinutes, leftMinutes: left, leftPct: total > 0 ? (left / total) * 100 : left >= 0 ? 100 : -Infinity };
}

// ---------------------------------------------------------------------------------------------
// Incidents

export type Severity = 'P1' | 'P2' | 'P3';
export const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3'];
/** DOWN runs closer than this many non-DOWN minutes are one incident (recovery = 5 minutes UP). */
export const INCIDENT_MERGE_GAP_MINUTES = 5;

export interface DerivedIncident {
  start: number;
  /** End of the last DOWN minute (exclusive). */
  end: number;
  downMinutes: number;
  /** Still open: fewer than 5 minutes have been scored since its last DOWN minute. */
  open: boolean;
  severity: Severity;
}

/**
 * Severity from length (domain.md §3.2/§4.4): a service DOWN minute already means the whole unit or
 * platform is out (its aggregation node or most of its nodes), so scope is "service-wide" for all;
 * 5 minutes or more is critical (P1), 2–4 minutes the warning level (P2), a single minute P3.
 */
export function severityOf(durationMinutes: number): Severity {
  if (durationMinutes >= 5) return 'P1';
  if (durationMinutes >= 2) return 'P2';
  return 'P3';
}

/**
 * Incidents from a dense run of minutes starting at `from`: DOWN runs, merged when separated by
 * fewer than 5 non-DOWN minutes. Duration runs from the first DOWN minute to the end of the last.
 */
export function deriveIncidents(states: readonly MinuteState[], from: number): DerivedIncident[] {
  const out: DerivedIncident[] = [];
  let cur: { first: number; last: number; down: number } | undefined;
  const close = (open: boolean) => {
    if (!cur) return;
    const start = from + cur.first * MINUTE_MS;
    const end = from + (cur.last + 1) * MINUTE_MS;
    out.push({ start, end, downMinutes: cur.down, open, severity: severityOf((end - start) / MINUTE_MS) });
    cur = undefined;
  };
  for (let i = 0; i < states.length; i++) {
    if (states[i] !== 'DOWN') {
      if (cur && i - cur.last >= INCIDENT_MERGE_GAP_MINUTES) close(false);
      continue;
    }
    if (cur) {
      cur.last = i;
      cur.down++;
    } else cur = { first: i, last: i, down: 1 };
  }
  if (cur) close(states.length - 1 - cur.last < INCIDENT_MERGE_GAP_MINUTES);
  return out;
}
