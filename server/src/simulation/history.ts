import type { Fault, SimulatedNode } from '@zhuyun/collectors';
import { addMonths, monthOf, monthRange, seriesKey, validatePoint, type Point, type RawPoint, type Tags } from '@zhuyun/protocol';
import { findService, isHealthMetric, type ServiceKind } from '../sla/sla.catalog.js';
import { scoreMinute, type NodeMinuteFacts } from '../sla/sla.scoring.js';
import type { RollupBucket, SeriesRollups } from '../storage/time-series.store.js';

/**
 * The simulated city's past (issue 14, "the past is there on the first screen"): the demo's first
 * start fills the last full month and this month up to now from the same model the live fleet runs
 * (same fleet, same seeds), stepped every HISTORY_STEP_MS instead of every second. Pure: the
 * sampled points in, hourly rollups, SLA minute states and alert records out (history.service.ts
 * stores them). docs/SLA.md "The demo's history".
 */

/** The model is stepped this often (its longest exact step: the walks are exact in dt, faults Poisson in dt). */
export const HISTORY_STEP_MS = 10 * 60_000;
export const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** How often a node of the live fleet reports when it has no `everyMs` of its own (the agents' interval). */
const LIVE_INTERVAL_MS = 1_000;
/** What a healthy sample of a health metric reads, to mix with a fault that covered part of a step. */
const HEALTHY: Readonly<Record<string, number>> = { 'net.up': 1, 'net.loss_pct': 0, 'share.up': 1, 'open.up': 1, 'share.success_pct': 99.85 };
/** `share.success_pct` during an outage: the model draws 10–60 %. */
const OUTAGE_SUCCESS_PCT = 35;
/**
 * What the past keeps of an access node (department, township, village: 1,820 of the city's 1,849):
 * whether it was up and its latency. Its loss and jitter (nearly always 0 and a share of the
 * latency) start with live data: half the rows, so the city's fill stays under a minute.
 */
export const ACCESS_HISTORY_METRICS: ReadonlySet<string> = new Set(['net.up', 'net.latency_ms']);
/** The default node-down and platform-down rules (alerts/alert-rules.ts): pending → firing after 1 min, resolved 1 min after. */
export const DOWN_RULE_FOR_MS = 60_000;
export const DOWN_RULE_KEEP_FIRING_MS = 60_000;

export interface HistoryRange {
  /** Start of the previous Beijing-time month. */
  from: number;
  /** The moment live data takes over (the first start's clock, on the minute). */
  to: number;
}

/** The last full month and this month up to `now` (minute), Beijing time. */
export function historyRange(now: number): HistoryRange {
  return { from: monthRange(addMonths(monthOf(now), -1)).from, to: Math.floor(now / MINUTE_MS) * MINUTE_MS };
}

/** A fault the model ran, as an interval. */
export interface PastFault {
  kind: Fault['kind'];
  unit?: string;
  node?: string;
  platform?: 'share' | 'open';
  start: number;
  end: number;
}

interface SeriesAcc {
  metric: string;
  tags: Tags;
  /** Live samples one history sample stands for (a 1 s core: 600; a 10 s village: 60). */
  weight: number;
  /** HEALTHY[metric]. */
  healthy: number | undefined;
  min: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  count: Float64Array;
  lastTs: Float64Array;
  last: Float64Array;
}

/**
 * One collector's history: feed it each step's points (`add`) and the faults the model had active
 * (`faults`); take the hourly rollups (`rollups`) and the faults as intervals (`pastFaults`).
 * Only whole hours before `range.to` are rolled up: the hour `to` falls in is live data's own.
 */
export class HistorySampler {
  /** By node, then metric: the ids and metric names are the model's own strings, so no key is built per point. */
  private readonly series = new Map<string, Map<string, SeriesAcc>>();
  /** Faults still of use to `add` (pruned as the steps go on), and every fault seen. */
  private readonly faultsById = new Map<number, PastFault>();
  private readonly seen = new Set<number>();
  private readonly all: PastFault[] = [];
  private readonly everyMs = new Map<string, number>();
  private readonly lineage = new Map<string, string[]>();
  readonly hourFrom: number;
  readonly hours: number;

  constructor(
    readonly range: HistoryRange,
    nodes: ReadonlyArray<SimulatedNode & { everyMs?: number }>,
    readonly stepMs = HISTORY_STEP_MS,
  ) {
    this.hourFrom = Math.floor(range.from / HOUR_MS) * HOUR_MS;
    this.hours = Math.max(0, Math.floor(range.to / HOUR_MS) - this.hourFrom / HOUR_MS);
    const parent = new Map(nodes.map((n) => [n.id, n.parent]));
    for (const n of nodes) {
      if (n.everyMs) this.everyMs.set(n.id, n.everyMs);
      const chain = [n.id];
      for (let p = n.parent; p !== undefined && !chain.includes(p); p = parent.get(p)) chain.push(p);
      this.lineage.set(n.id, chain);
    }
  }

  /** Takes the model's faults active at `ts` (each is kept once, by id). */
  faults(active: readonly Fault[]): void {
    for (const f of active) {
      if (f.startedAt === undefined || this.seen.has(f.id)) continue;
      const past: PastFault = { kind: f.kind, unit: f.unit, node: f.node, platform: f.platform, start: f.startedAt, end: f.startedAt + f.durationMs };
      this.seen.add(f.id);
      this.faultsById.set(f.id, past);
      this.all.push(past);
    }
  }

  /** Every fault the model ran, in the order they began. */
  pastFaults(): PastFault[] {
    return [...this.all];
  }

  /**
   * Share of the step from `ts` a fault kept this point's node down (or its platform out), 0..1:
   * a fault lasts 30–120 s, a step 10 min, so a down sample stands for that part of the step only.
   */
  private faultShare(p: RawPoint, ts: number): number {
    let share = 0;
    const chain = this.lineage.get(p.tags.node);
    for (const f of this.faultsById.values()) {
      if (f.end <= ts || f.start > ts) continue;
      const hit = f.kind === 'platform_outage' ? f.platform === p.tags.platform : f.kind === 'link_down' && f.node !== undefined && !!chain?.includes(f.node);
      if (hit) share = Math.max(share, Math.min(1, (f.end - ts) / this.stepMs));
    }
    return share;
  }

  /** Adds one step's points (all stamped `ts`). */
  add(points: readonly RawPoint[], ts: number): void {
    const h = Math.floor((ts - this.hourFrom) / HOUR_MS);
    if (h < 0 || h >= this.hours) return;
    // Faults that ended before this step are of no more use here.
    for (const [id, f] of this.faultsById) if (f.end <= ts - HOUR_MS) this.faultsById.delete(id);
    let lastTags: RawPoint['tags'] | undefined;
    let ofNode: Map<string, SeriesAcc> | undefined;
    for (const p of points) {
      if (p.tags.role === 'access' && !ACCESS_HISTORY_METRICS.has(p.metric)) continue;
      // The model gives a node's points of one step one tags object: one node lookup for them.
      if (p.tags !== lastTags || !ofNode) {
        lastTags = p.tags;
        ofNode = this.series.get(p.tags.node);
        if (!ofNode) this.series.set(p.tags.node, (ofNode = new Map()));
      }
      let acc = ofNode.get(p.metric);
      if (!acc) {
        const checked = validatePoint(p, p.ts);
        if (!checked.ok) throw new Error(`simulated history: ${checked.error}`);
        const n = this.hours;
        acc = {
          metric: p.metric,
          tags: checked.point.tags,
          weight: this.stepMs / (this.everyMs.get(p.tags.node) ?? LIVE_INTERVAL_MS),
          healthy: HEALTHY[p.metric],
          min: new Float64Array(n).fill(Infinity),
          max: new Float64Array(n).fill(-Infinity),
          sum: new Float64Array(n),
          count: new Float64Array(n),
          lastTs: new Float64Array(n),
          last: new Float64Array(n),
        };
        ofNode.set(p.metric, acc);
      }
      let lo = p.value;
      let hi = p.value;
      let total = p.value * acc.weight;
      let last = p.value;
      const healthy = acc.healthy;
      if (healthy !== undefined && p.value !== healthy) {
        // A fault covered part of this step: the rest of it the series read healthy again.
        const share = this.faultShare(p, ts);
        if (share > 0 && share < 1) {
          lo = Math.min(p.value, healthy);
          hi = Math.max(p.value, healthy);
          total = (p.value * share + healthy * (1 - share)) * acc.weight;
          last = healthy;
        }
      }
      if (lo < acc.min[h]) acc.min[h] = lo;
      if (hi > acc.max[h]) acc.max[h] = hi;
      acc.sum[h] += total;
      acc.count[h] += acc.weight;
      if (ts >= acc.lastTs[h]) {
        acc.lastTs[h] = ts;
        acc.last[h] = last;
      }
    }
  }

  private *allSeries(): Iterable<SeriesAcc> {
    for (const ofNode of this.series.values()) yield* ofNode.values();
  }

  /** The hourly buckets of every series seen (non-empty buckets only). */
  rollups(): SeriesRollups[] {
    const out: SeriesRollups[] = [];
    for (const acc of this.allSeries()) {
      const buckets: RollupBucket[] = [];
      for (let h = 0; h < this.hours; h++) {
        if (acc.count[h] === 0) continue;
        buckets.push({ bucket: this.hourFrom + h * HOUR_MS, min: acc.min[h], max: acc.max[h], sum: acc.sum[h], count: acc.count[h], lastTs: acc.lastTs[h], last: acc.last[h] });
      }
      if (buckets.length) out.push({ metric: acc.metric, tags: acc.tags, step: '1h', buckets });
    }
    return out;
  }

  /**
   * The series that are SLA evidence, by `node\0metric`: each node's health series (`net.up`,
   * `share.up`, `open.up`, for alerts too) and the cloud hosts' `host.cpu_pct` (the cloud's).
   */
  evidence(): Map<string, { metric: string; tags: Tags }> {
    const out = new Map<string, { metric: string; tags: Tags }>();
    for (const acc of this.allSeries()) {
      if (isHealthMetric(acc.metric) || acc.metric === 'host.cpu_pct') out.set(`${acc.tags.node}\u0000${acc.metric}`, { metric: acc.metric, tags: acc.tags });
    }
    return out;
  }
}

/** The nodes that give evidence for one SLA service, with the node ids above each (a fault there takes it down). */
export interface ServiceFleet {
  service: string;
  nodes: Array<{ id: string; core: boolean; lineage: readonly string[] }>;
}

/** The SLA services of a fleet's nodes: each unit's extranet (the platforms are added by `serviceOfFault`). */
export function serviceFleets(nodes: readonly SimulatedNode[]): ServiceFleet[] {
  const parent = new Map(nodes.map((n) => [n.id, n.parent]));
  const byService = new Map<string, ServiceFleet>();
  for (const n of nodes) {
    const service = `extranet:${n.unit}`;
    if (!findService(service)) continue;
    let s = byService.get(service);
    if (!s) byService.set(service, (s = { service, nodes: [] }));
    const lineage = [n.id];
    for (let p = n.parent; p !== undefined && !lineage.includes(p); p = parent.get(p)) lineage.push(p);
    s.nodes.push({ id: n.id, core: n.role === 'core', lineage });
  }
  return [...byService.values()];
}

function serviceOfFault(f: PastFault): string | undefined {
  if (f.kind === 'platform_outage') return f.platform;
  if (f.kind === 'link_down' && f.unit) return `extranet:${f.unit}`;
  return undefined; // a latency storm slows, it does not take a service down
}

/**
 * The minutes of `[from, to)` each service was DOWN, scored by the live engine's own rule
 * (sla.scoring.ts scoreMinute) from what the faults did to each node in each minute: a node down
 * more than half of a minute failed it (its probes: more failed than answered). Every other minute
 * of the range is UP: the simulated fleet reports every minute.
 */
export function downMinutes(fleets: readonly ServiceFleet[], faults: readonly PastFault[], from: number, to: number): Map<string, number[]> {
  const bySvc = new Map<string, PastFault[]>();
  for (const f of faults) {
    const s = serviceOfFault(f);
    if (!s || f.end <= from || f.start >= to) continue;
    const list = bySvc.get(s) ?? [];
    list.push(f);
    bySvc.set(s, list);
  }
  const fleetOf = new Map(fleets.map((f) => [f.service, f]));
  const out = new Map<string, number[]>();
  for (const [service, list] of bySvc) {
    const def = findService(service);
    if (!def) continue;
    // The faults of each minute they touch (a fault lasts 30–120 s: two or three minutes).
    const byMinute = new Map<number, PastFault[]>();
    for (const f of list) {
      for (let m = Math.max(from, Math.floor(f.start / MINUTE_MS) * MINUTE_MS); m < Math.min(to, f.end); m += MINUTE_MS) {
        const at = byMinute.get(m);
        if (at) at.push(f);
        else byMinute.set(m, [f]);
      }
    }
    const down: number[] = [];
    for (const m of [...byMinute.keys()].sort((a, b) => a - b)) {
      const overlap = (f: PastFault) => Math.max(0, Math.min(f.end, m + MINUTE_MS) - Math.max(f.start, m)) / MINUTE_MS;
      const facts = factsOf(def.kind, fleetOf.get(service), byMinute.get(m)!, overlap);
      if (scoreMinute(def.kind, facts).state === 'DOWN') down.push(m);
    }
    if (down.length) out.set(service, down);
  }
  return out;
}

/** One minute's facts per node, as 60 one-second samples split by the share of the minute it was down. */
function factsOf(kind: ServiceKind, fleet: ServiceFleet | undefined, faults: readonly PastFault[], overlap: (f: PastFault) => number): NodeMinuteFacts[] {
  const samples = (share: number) => {
    const down = Math.round(60 * share);
    return { upSamples: 60 - down, downSamples: down, samples: 60 };
  };
  if (kind === 'share' || kind === 'open') {
    const share = Math.min(1, faults.reduce((a, f) => a + overlap(f), 0));
    const s = samples(share);
    const success = kind === 'share' ? { successSum: s.upSamples * HEALTHY['share.success_pct'] + s.downSamples * OUTAGE_SUCCESS_PCT, successCount: 60 } : { successSum: 0, successCount: 0 };
    return [{ node: `${kind}-platform`, core: false, ...s, ...success }];
  }
  return (fleet?.nodes ?? []).map((n) => {
    let share = 0;
    for (const f of faults) if (f.node !== undefined && n.lineage.includes(f.node)) share = Math.max(share, overlap(f));
    return { node: n.id, core: n.core, ...samples(share), successSum: 0, successCount: 0 };
  });
}

/**
 * One point per evidence series and minute of `[from, to)` (at the half minute), as the live fleet's
 * would have told the SLA engine: for the few minutes between the engine's watermark at the fill
 * and the moment live data took over, which the engine scores itself (no gap, no overlap). A node
 * down more than half of a minute reads 0.
 */
export function gapPoints(evidence: ReadonlyMap<string, { metric: string; tags: Tags }>, fleets: readonly ServiceFleet[], faults: readonly PastFault[], from: number, to: number): Point[] {
  const out: Point[] = [];
  const lineage = new Map<string, readonly string[]>();
  for (const s of fleets) for (const n of s.nodes) lineage.set(n.id, n.lineage);
  for (let m = from; m < to; m += MINUTE_MS) {
    const active = faults.filter((f) => f.start < m + MINUTE_MS && f.end > m && Math.min(f.end, m + MINUTE_MS) - Math.max(f.start, m) > MINUTE_MS / 2);
    for (const { metric, tags } of evidence.values()) {
      let value = metric === 'host.cpu_pct' ? 30 : 1;
      if (metric === 'share.up' || metric === 'open.up') {
        if (active.some((f) => f.kind === 'platform_outage' && `${f.platform}.up` === metric)) value = 0;
      } else if (metric === 'net.up' && active.length) {
        const chain = lineage.get(tags.node) ?? [tags.node];
        if (active.some((f) => f.kind === 'link_down' && f.node !== undefined && chain.includes(f.node))) value = 0;
      }
      out.push({ metric, tags, ts: m + MINUTE_MS / 2, value });
    }
  }
  return out;
}

/** An alert of the default down rules the live engine would have raised and closed for a past fault. */
export interface PastAlert {
  ruleId: string;
  metric: string;
  tags: Tags;
  series: string;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
}

/**
 * The node-down and platform-down alerts (P1, `for` 1 min, kept firing 1 min) of the faults that
 * lasted long enough to fire and closed before `to`: one per fault, on the node that went down
 * (the nodes behind it would have been held back behind it). Latency storms last under the 5 minutes
 * the latency rules wait, so they raise none.
 */
export function pastAlerts(faults: readonly PastFault[], evidence: ReadonlyMap<string, { metric: string; tags: Tags }>, to: number): PastAlert[] {
  const out: PastAlert[] = [];
  for (const f of faults) {
    if (f.end - f.start < DOWN_RULE_FOR_MS || f.end + DOWN_RULE_KEEP_FIRING_MS > to) continue;
    const key = f.kind === 'link_down' ? `${f.node}\u0000net.up` : f.kind === 'platform_outage' ? `${f.platform}-platform\u0000${f.platform}.up` : undefined;
    const series = key && evidence.get(key);
    if (!series) continue;
    out.push({
      ruleId: `default-${series.metric.replace('.', '-')}-down`,
      metric: series.metric,
      tags: series.tags,
      series: seriesKey(series.metric, series.tags),
      activeAt: f.start,
      firedAt: f.start + DOWN_RULE_FOR_MS,
      resolvedAt: f.end + DOWN_RULE_KEEP_FIRING_MS,
    });
  }
  return out.sort((a, b) => a.activeAt - b.activeAt);
}
