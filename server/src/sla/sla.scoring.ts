import type { ServiceKind } from './sla.catalog.js';
import { DAY_MS, MINUTE_MS, localParts, parseHhmm, weekdayMinute } from './sla.time.js';

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

/**
 * The counted period of a month under a contract: the month ∩ [effectiveFrom, …) ∩ the minutes
 * already final, always inside the month (an empty period sits at the month's end when the contract
 * took effect after it, at its start when the month is still to come). `effective`: `none` when
 * no minute of the month is under the contract (合同未生效: it took effect after the month),
 * `partial` when it takes effect inside the month (perhaps later than what is final), `full` when
 * it covers the whole month.
 */
export function countedPeriod(
  month: { start: number; end: number },
  effectiveFrom: number,
  scoredUntil: number,
): { from: number; to: number; effective: 'none' | 'partial' | 'full' } {
  const from = Math.min(month.end, Math.max(month.start, effectiveFrom));
  const to = Math.max(from, Math.min(month.end, scoredUntil));
  const effective = effectiveFrom <= month.start ? 'full' : effectiveFrom < month.end ? 'partial' : 'none';
  return { from, to, effective };
}

export interface DayFigure {
  /** `YYYY-MM-DD` in Asia/Shanghai. */
  date: string;
  start: number;
  /** `notEffective`: the whole day is before the contract took effect; `future`: nothing of it final yet. */
  state: 'notEffective' | 'future' | 'counted';
  /** The day's part of the counted period (null unless `counted`). */
  figures: PeriodFigures | null;
}

/**
 * The days of a month, each with the figures of its part of the counted period — the same minutes,
 * terms and N-minute rule as the month's figure (`periodFigures(states, from, terms, period)`), so
 * the days add up to the month. `states[i]` is the minute `from + i·60 s`.
 */
export function dayFigures(
  states: readonly MinuteState[],
  from: number,
  terms: Pick<ContractTerms, 'minOutageMinutes' | 'hours'>,
  month: { start: number; end: number },
  period: { from: number; to: number },
  effectiveFrom: number,
): DayFigure[] {
  const out: DayFigure[] = [];
  for (let d = month.start; d < month.end; d += DAY_MS) {
    const date = localParts(d).date;
    if (d + DAY_MS <= effectiveFrom) {
      out.push({ date, start: d, state: 'notEffective', figures: null });
      continue;
    }
    const a = Math.max(d, period.from);
    const b = Math.min(d + DAY_MS, period.to);
    if (b <= a) out.push({ date, start: d, state: 'future', figures: null });
    else out.push({ date, start: d, state: 'counted', figures: periodFigures(states, from, terms, { from: a, to: b }) });
  }
  return out;
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
  /** left / total × 100; negative when the budget is overspent; null when there is no budget (a month the contract never covered). */
  leftPct: number | null;
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
 * The former rule (priority from length: ≥ 5 minutes P1, 2–4 P2, 1 P3). Kept for reference only:
 * it gave a 4-minute total outage P2 beside its P1 alerts (issue 15, item 11); see severityOfCause.
 */
export function severityOf(durationMinutes: number): Severity {
  if (durationMinutes >= 5) return 'P1';
  if (durationMinutes >= 2) return 'P2';
  return 'P3';
}

/**
 * An incident's priority, with the meaning the alerts give P1–P3 (domain.md §4.4, by what is out,
 * not by how long): every SLA incident is a service-wide outage — a district's or zone's extranet
 * (its aggregation node down, or most of its nodes), the cloud, sharing or open platform down — and
 * that is P1 at any length; the sharing platform answering with a success rate below 95 % is P2.
 * P3 (one access point down) never stops a service, so no incident is P3. Length is told by the
 * duration, TTR and the N-minute rule (`counted`).
 */
export function severityOfCause(cause: string): Severity {
  return /^success rate /.test(cause) ? 'P2' : 'P1';
}

/** The nodes a cause names (`aggregation node down: a, b`); none for `5 of 9 nodes down` or a platform. */
export function causeNodes(cause: string): string[] {
  const m = /^aggregation node down: (.+)$/.exec(cause);
  return m ? m[1].split(',').map((x) => x.trim()).filter(Boolean) : [];
}

/**
 * Whether an alert acknowledgement (of the incident's service) is the acknowledgement of an incident
 * with this cause: an alert of the unit or service as a whole (no node) is; a node's alert is when
 * the cause names that node (the down aggregation node), or names none (most nodes down: any of them).
 * An acknowledgement of an access point's alert is not one of an outage caused by the core.
 */
export function ackCredits(ackNode: string | null, cause: string): boolean {
  if (!ackNode) return true;
  const nodes = causeNodes(cause);
  return nodes.length === 0 || nodes.includes(ackNode);
}

/**
 * Incidents from a dense run of minutes starting at `from`: DOWN runs, merged when separated by
 * fewer than 5 non-DOWN minutes. Duration runs from the first DOWN minute to the end of the last.
 */
export function deriveIncidents(states: readonly MinuteState[], from: number, causeAt: (minute: number) => string = () => ''): DerivedIncident[] {
  const out: DerivedIncident[] = [];
  let cur: { first: number; last: number; down: number } | undefined;
  const close = (open: boolean) => {
    if (!cur) return;
    const start = from + cur.first * MINUTE_MS;
    const end = from + (cur.last + 1) * MINUTE_MS;
    out.push({ start, end, downMinutes: cur.down, open, severity: severityOfCause(causeAt(start)) });
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
