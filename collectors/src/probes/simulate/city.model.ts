import { UNITS, findUnit, type RawPoint } from '@zhuyun/protocol';
import { loadAt } from './daily-load.curve.js';
import { deriveSeed, gaussian, mulberry32, uniform, type Random } from './mulberry32.prng.js';

/**
 * The simulated city: the extranet of each unit (a core node and its access nodes), the cloud
 * sub-platform, the sharing platform and the open platform. A pure core: no I/O and no clock of its
 * own — `tick(now)` advances the state to `now` and returns that moment's points — so the same seed
 * and the same sequence of `now` give the same points.
 */

export type FaultKind = 'link_down' | 'latency_storm' | 'platform_outage';
export type SimulatedPlatform = 'share' | 'open';

export interface FaultRequest {
  kind: FaultKind;
  /** latency_storm: the unit hit (or give `node`). link_down: the unit whose core link goes down, when `node` is not given. */
  unit?: string;
  /**
   * link_down: the node that goes down (`520103-acc-2`, `t520102016`); it takes every node behind it
   * (its descendants) down with it. latency_storm: the node whose subtree slows down (default: the
   * whole unit).
   */
  node?: string;
  /** platform_outage: which platform (required). */
  platform?: SimulatedPlatform;
  durationMs: number;
  /**
   * When the fault begins, epoch ms. Default: the next collection, so a fault injected between
   * two ticks shows in the very next points.
   */
  startsAt?: number;
}

export interface Fault {
  id: number;
  kind: FaultKind;
  unit?: string;
  node?: string;
  platform?: SimulatedPlatform;
  /** Undefined while an injected fault waits for its first tick. */
  startedAt?: number;
  durationMs: number;
  /** latency_storm: the latency multiplier (5–15). */
  factor: number;
  origin: 'random' | 'injected';
}

export interface CityOptions {
  /** Unit codes to simulate (districts and zones), in output order. Ignored when `nodes` is given. */
  units: readonly string[];
  /**
   * An explicit fleet (the real city: unit core, townships, villages, departments) instead of a
   * core and `accessNodes` access nodes per unit. The units are those the nodes name, in order.
   */
  nodes?: readonly FleetNode[];
  accessNodes: number;
  platforms: boolean;
  /** Expected random faults per hour per unit (and per platform); 0: none. */
  faultRate: number;
  seed: number;
}

export interface SimulatedNode {
  id: string;
  unit: string;
  role: 'core' | 'access';
  parent?: string;
}

/**
 * One node of an explicit fleet. A unit's nodes come core first; a node's parent, when it is in the
 * same fleet, comes before it (so latencies add up along the tree). A parent outside the fleet (the
 * city core above a unit core) is only tagged.
 */
export interface FleetNode extends SimulatedNode {
  /** The geographic district when `unit` is a zone: the points carry `district` = this, `unit` = the zone. */
  district?: string;
  /** Tag `level`: `city`, `unit`, `township`, `village`, `department`. */
  level?: string;
  /** Emits once every `everyMs` (each node at its own phase), not on every collection. Default: every collection. */
  everyMs?: number;
  /** Tag `target` of its reachability points. Default `city-core`. */
  target?: string;
  /** Base latency (ms) instead of the unit's profile (core) or the parent's plus 0.4–1.8 ms. */
  latencyMs?: number;
  /** Uplink capacity (bps) of a core instead of the unit's profile. */
  capacityBps?: number;
  /** false: random faults never take this node down (the city core: its fall is a demo's choice). Default true. */
  randomDown?: boolean;
}

/** Core→city-core latency (ms), uplink capacity and peak utilisation of each unit's core link. */
interface UnitProfile {
  latencyMs: number;
  capacityBps: number;
  peakUtilPct: number;
}

const G = 1e9;
// The city core stands in Guanshanhu (the big data bureau); the old town is a few km away, the
// northern counties 40–70 km of fibre. Values sized on metro fibre: ~5 µs/km plus equipment.
const PROFILES: Record<string, UnitProfile> = {
  '520115': { latencyMs: 0.9, capacityBps: 10 * G, peakUtilPct: 58 },
  '520103': { latencyMs: 1.4, capacityBps: 10 * G, peakUtilPct: 62 },
  '520102': { latencyMs: 1.6, capacityBps: 10 * G, peakUtilPct: 60 },
  '520111': { latencyMs: 2.6, capacityBps: 10 * G, peakUtilPct: 45 },
  '520112': { latencyMs: 2.4, capacityBps: 10 * G, peakUtilPct: 38 },
  '520113': { latencyMs: 2.2, capacityBps: 10 * G, peakUtilPct: 42 },
  '520181': { latencyMs: 3.6, capacityBps: 1 * G, peakUtilPct: 48 },
  '520123': { latencyMs: 4.2, capacityBps: 1 * G, peakUtilPct: 44 },
  '520121': { latencyMs: 6.5, capacityBps: 1 * G, peakUtilPct: 40 },
  '520122': { latencyMs: 5.8, capacityBps: 1 * G, peakUtilPct: 36 },
  'gy-hitech': { latencyMs: 1.8, capacityBps: 10 * G, peakUtilPct: 50 },
  'gy-etdz': { latencyMs: 2.8, capacityBps: 1 * G, peakUtilPct: 52 },
  'gy-bonded': { latencyMs: 2.5, capacityBps: 1 * G, peakUtilPct: 34 },
  'gy-shuanglong': { latencyMs: 3.0, capacityBps: 1 * G, peakUtilPct: 38 },
};
const DEFAULT_PROFILE: UnitProfile = { latencyMs: 3, capacityBps: 1 * G, peakUtilPct: 40 };

/** Where the platforms run: the city's data centre in Guanshanhu. */
export const PLATFORM_DISTRICT = '520115';
export const CLOUD_HOSTS = 6;
const FAULT_MIN_MS = 30_000;
const FAULT_MAX_MS = 120_000;
/** A gap longer than this (agent paused, laptop asleep) is not simulated step by step. */
const MAX_STEP_MS = 10 * 60_000;

/**
 * Mean-reverting random walk (Ornstein–Uhlenbeck, exact discretisation): wanders smoothly
 * around `mean` with standard deviation `sd`, forgetting its past over `tauSec`. Exact in dt, so
 * a 1 s and a 60 s interval give the same statistics.
 */
class Walk {
  value: number;
  constructor(
    private readonly mean: number,
    private readonly sd: number,
    private readonly tauSec: number,
    random: Random,
  ) {
    this.value = mean + sd * gaussian(random);
  }
  step(dtSec: number, random: Random): number {
    if (dtSec > 0) {
      const decay = Math.exp(-dtSec / this.tauSec);
      this.value = this.mean + (this.value - this.mean) * decay + this.sd * Math.sqrt(1 - decay * decay) * gaussian(random);
    }
    return this.value;
  }
}

interface NodeState extends FleetNode {
  /** This node and its ancestors within the fleet, nearest first (a fault on any of them reaches it). */
  lineage: string[];
  /** Emission phase (ms) and the last emission slot, for a node with `everyMs`. */
  phase: number;
  slot?: number;
  /** Simulated seconds not yet stepped (a node that skips collections steps its walks when it emits). */
  pendingDt: number;
  baseLatencyMs: number;
  latency: Walk;
  jitter: Walk;
  // Core nodes only: the uplink interface as SNMP would read it.
  link?: { capacityBps: number; peakUtilPct: number; util: Walk; outRatio: Walk; errorsTotal: number };
}

interface HostState {
  id: string;
  cpu: Walk;
  mem: Walk;
  disk: Walk;
  cpuBase: number;
}

interface PlatformState {
  share: {
    apiCalls: number;
    records: number;
    catalog: number;
    recordsPerCall: Walk;
    success: Walk;
    latency: Walk;
  };
  open: { apiCalls: number; downloads: number; datasets: number; latency: Walk };
  systems: Map<string, number>;
  hosts: HostState[];
}

const round = (v: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function nodeIds(unit: string, accessNodes: number): SimulatedNode[] {
  const core = `${unit}-core-1`;
  const out: SimulatedNode[] = [{ id: core, unit, role: 'core' }];
  for (let i = 1; i <= accessNodes; i++) out.push({ id: `${unit}-acc-${i}`, unit, role: 'access', parent: core });
  return out;
}

export class CityModel {
  private readonly random: Random;
  private readonly faultRandom: Random;
  private readonly injectRandom: Random;
  private readonly nodes: NodeState[] = [];
  private readonly nodesByUnit = new Map<string, NodeState[]>();
  private readonly byId = new Map<string, NodeState>();
  private readonly targetsByUnit = new Map<string, { core: NodeState; middles: NodeState[]; leaves: NodeState[] }>();
  private readonly platforms?: PlatformState;
  private faults: Fault[] = [];
  private faultSeq = 0;
  private lastTick?: number;
  /** The units simulated, in output order. */
  private readonly units: readonly string[];

  constructor(readonly options: CityOptions) {
    // An explicit fleet names its units itself.
    const units = options.nodes ? [...new Set(options.nodes.map((n) => n.unit))] : options.units;
    for (const unit of units) {
      if (!findUnit(unit)) throw new Error(`simulate: unknown unit ${JSON.stringify(unit)}`);
    }
    if (new Set(units).size !== units.length) throw new Error('simulate: a unit is listed twice');
    this.units = units;
    // Independent streams: injecting a fault must not change the values or the random faults
    // that follow, or a test that injects one could not compare with a run that does not.
    const label = units.join(',') + (options.nodes ? `+fleet${options.nodes.length}` : '') + (options.platforms ? '+platforms' : '');
    this.random = mulberry32(deriveSeed(options.seed, `values:${label}`));
    this.faultRandom = mulberry32(deriveSeed(options.seed, `faults:${label}`));
    this.injectRandom = mulberry32(deriveSeed(options.seed, `inject:${label}`));
    const r = this.random;

    const byId = this.byId;
    for (const unit of units) {
      const profile = PROFILES[unit] ?? DEFAULT_PROFILE;
      const fleet: readonly FleetNode[] = options.nodes ? options.nodes.filter((n) => n.unit === unit) : nodeIds(unit, options.accessNodes);
      const states: NodeState[] = fleet.map((n) => {
        if (byId.has(n.id)) throw new Error(`simulate: node ${JSON.stringify(n.id)} is listed twice`);
        const up = n.parent !== undefined ? byId.get(n.parent) : undefined;
        if (n.parent !== undefined && !up && options.nodes?.some((m) => m.id === n.parent)) {
          throw new Error(`simulate: node ${JSON.stringify(n.id)} comes before its parent ${JSON.stringify(n.parent)}`);
        }
        // A node behind another in the fleet is that far further (access nodes +0.4–1.8 ms behind their core).
        const base = n.latencyMs ?? (n.role === 'core' || !up ? profile.latencyMs : up.baseLatencyMs + uniform(r, 0.4, 1.8));
        const everyMs = n.everyMs !== undefined && n.everyMs > 0 ? n.everyMs : undefined;
        const state: NodeState = {
          ...n,
          everyMs,
          lineage: up ? [n.id, ...up.lineage] : [n.id],
          phase: everyMs ? deriveSeed(options.seed, `phase:${n.id}`) % everyMs : 0,
          pendingDt: 0,
          baseLatencyMs: base,
          latency: new Walk(1, 0.08, 300, r),
          jitter: new Walk(1, 0.3, 120, r),
          link: n.role === 'core'
            ? {
                capacityBps: n.capacityBps ?? profile.capacityBps,
                peakUtilPct: profile.peakUtilPct * uniform(r, 0.92, 1.08),
                util: new Walk(1, 0.07, 600, r),
                outRatio: new Walk(0.45, 0.06, 1_800, r),
                errorsTotal: Math.floor(uniform(r, 0, 5_000)),
              }
            : undefined,
        };
        byId.set(n.id, state);
        return state;
      });
      if (states.length === 0) throw new Error(`simulate: unit ${unit} has no node`);
      this.nodes.push(...states);
      this.nodesByUnit.set(unit, states);
    }

    if (options.platforms) {
      const systems = new Map<string, number>();
      for (const u of UNITS) {
        const big = ['520102', '520103', '520115'].includes(u.code);
        systems.set(u.code, Math.round(u.kind === 'zone' ? uniform(r, 10, 30) : big ? uniform(r, 60, 90) : uniform(r, 15, 45)));
      }
      const hosts: HostState[] = [];
      for (let i = 1; i <= CLOUD_HOSTS; i++) {
        hosts.push({
          id: `cloud-host-${String(i).padStart(2, '0')}`,
          cpuBase: uniform(r, 18, 35),
          cpu: new Walk(1, 0.12, 180, r),
          mem: new Walk(uniform(r, 52, 74), 3, 1_800, r),
          disk: new Walk(uniform(r, 42, 72), 0.6, 7_200, r),
        });
      }
      this.platforms = {
        share: {
          apiCalls: Math.floor(uniform(r, 1e7, 5e7)),
          records: Math.floor(uniform(r, 5e8, 2e9)),
          catalog: Math.floor(uniform(r, 4_800, 5_600)),
          recordsPerCall: new Walk(25, 4, 900, r),
          success: new Walk(99.85, 0.07, 600, r),
          latency: new Walk(1, 0.12, 300, r),
        },
        open: {
          apiCalls: Math.floor(uniform(r, 1e6, 8e6)),
          downloads: Math.floor(uniform(r, 2e5, 9e5)),
          datasets: Math.floor(uniform(r, 1_600, 2_000)),
          latency: new Walk(1, 0.15, 300, r),
        },
        systems,
        hosts,
      };
    }
  }

  /** Every node of the extranet part, in output order. */
  listNodes(): SimulatedNode[] {
    return this.nodes.map(({ id, unit, role, parent }) => (parent ? { id, unit, role, parent } : { id, unit, role }));
  }

  /**
   * Forces a fault. Throws on a request that names nothing simulated here (so a demo script
   * learns of its typo at once). Returns the fault, which `activeFaults` lists until it ends.
   */
  injectFault(req: FaultRequest): Fault {
    if (!(req.durationMs > 0)) throw new Error('simulate: durationMs must be > 0');
    const fault: Fault = { id: ++this.faultSeq, kind: req.kind, durationMs: req.durationMs, factor: 1, origin: 'injected', startedAt: req.startsAt };
    switch (req.kind) {
      case 'link_down': {
        // A unit's first node is its core.
        const state = req.node !== undefined ? this.byId.get(req.node) : req.unit !== undefined ? this.nodesByUnit.get(req.unit)?.[0] : undefined;
        if (!state) throw new Error(`simulate: link_down needs a simulated node or unit, got ${JSON.stringify(req.node ?? req.unit)}`);
        fault.node = state.id;
        fault.unit = state.unit;
        break;
      }
      case 'latency_storm':
        if (req.node !== undefined) {
          // A storm on one node's subtree (a township and its villages).
          const state = this.byId.get(req.node);
          if (!state || (req.unit !== undefined && req.unit !== state.unit)) {
            throw new Error(`simulate: latency_storm needs a simulated node, got ${JSON.stringify(req.node)}`);
          }
          fault.node = state.id;
          fault.unit = state.unit;
        } else if (req.unit === undefined || !this.nodesByUnit.has(req.unit)) {
          throw new Error(`simulate: latency_storm needs a simulated unit, got ${JSON.stringify(req.unit)}`);
        } else fault.unit = req.unit;
        fault.factor = uniform(this.injectRandom, 5, 15);
        break;
      case 'platform_outage':
        if (!this.platforms) throw new Error('simulate: platform_outage needs the option platforms: true');
        if (req.platform !== 'share' && req.platform !== 'open') {
          throw new Error(`simulate: platform_outage needs platform share or open, got ${JSON.stringify(req.platform)}`);
        }
        fault.platform = req.platform;
        break;
      default:
        throw new Error(`simulate: unknown fault kind ${JSON.stringify((req as { kind: unknown }).kind)}`);
    }
    this.faults.push(fault);
    return { ...fault };
  }

  /** Ends every fault, random or injected; the next tick shows the city healthy. */
  clearFaults(): void {
    this.faults = [];
  }

  /** Faults not yet over at the last tick, including injected ones waiting for their first tick. */
  activeFaults(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Advances the city to `now` (epoch ms) and returns its points stamped `now`. */
  tick(now: number): RawPoint[] {
    const ts = Math.round(now);
    const dtMs = this.lastTick === undefined ? 0 : clamp(ts - this.lastTick, 0, MAX_STEP_MS);
    this.lastTick = this.lastTick === undefined ? ts : Math.max(this.lastTick, ts);
    const dt = dtMs / 1_000;

    this.updateFaults(ts, dtMs);
    const load = loadAt(ts);
    const points: RawPoint[] = [];
    for (const unit of this.units) this.unitPoints(unit, ts, dt, load, points);
    if (this.platforms) this.platformPoints(this.platforms, ts, dt, load, points);
    return points;
  }

  private updateFaults(ts: number, dtMs: number): void {
    for (const f of this.faults) if (f.startedAt === undefined) f.startedAt = ts;
    this.faults = this.faults.filter((f) => f.startedAt! + f.durationMs > ts);
    if (this.options.faultRate <= 0 || dtMs <= 0) return;
    // Poisson arrivals: probability of at least one fault in dt at `faultRate` per hour.
    const p = 1 - Math.exp((-this.options.faultRate * dtMs) / 3_600_000);
    const r = this.faultRandom;
    for (const unit of this.units) {
      const hit = r() < p;
      const kindRoll = r();
      const nodeRoll = r();
      const factor = uniform(r, 5, 15);
      const duration = Math.round(uniform(r, FAULT_MIN_MS, FAULT_MAX_MS));
      if (!hit || this.faults.some((f) => f.unit === unit)) continue;
      const { core, middles, leaves } = this.faultTargets(unit);
      // With a middle level (townships), a fault strikes each level: the core 15 %, a township 30 %,
      // else a village or department; without one (the small fleet), the core 30 %, else an access node.
      const coreShare = middles.length ? 0.15 : 0.3;
      const middleShare = middles.length ? 0.3 : 0;
      if (kindRoll < 0.55) {
        // Access links fail more often than the core's (more of them, less redundancy).
        const node =
          (nodeRoll < coreShare && core.randomDown !== false) || leaves.length === 0
            ? core
            : middles.length && nodeRoll >= coreShare && nodeRoll < coreShare + middleShare
              ? middles[Math.floor(((nodeRoll - coreShare) / middleShare) * middles.length) % middles.length]
              : leaves[Math.floor(nodeRoll * leaves.length) % leaves.length];
        if (node.randomDown === false) continue;
        this.faults.push({ id: ++this.faultSeq, kind: 'link_down', unit, node: node.id, startedAt: ts, durationMs: duration, factor: 1, origin: 'random' });
      } else if (middles.length && nodeRoll >= 0.4) {
        // A township's storm: it and its villages slow down; the rest of the unit does not.
        const node = middles[Math.floor(((nodeRoll - 0.4) / 0.6) * middles.length) % middles.length];
        this.faults.push({ id: ++this.faultSeq, kind: 'latency_storm', unit, node: node.id, startedAt: ts, durationMs: duration, factor, origin: 'random' });
      } else {
        this.faults.push({ id: ++this.faultSeq, kind: 'latency_storm', unit, startedAt: ts, durationMs: duration, factor, origin: 'random' });
      }
    }
    if (this.platforms) {
      for (const platform of ['share', 'open'] as const) {
        const hit = r() < p;
        const duration = Math.round(uniform(r, FAULT_MIN_MS, FAULT_MAX_MS));
        if (!hit || this.faults.some((f) => f.platform === platform)) continue;
        this.faults.push({ id: ++this.faultSeq, kind: 'platform_outage', platform, startedAt: ts, durationMs: duration, factor: 1, origin: 'random' });
      }
    }
  }

  /** A unit's core (its first node), its middle nodes (non-core nodes with children: townships) and its leaves. */
  private faultTargets(unit: string): { core: NodeState; middles: NodeState[]; leaves: NodeState[] } {
    let t = this.targetsByUnit.get(unit);
    if (!t) {
      const nodes = this.nodesByUnit.get(unit)!;
      const parents = new Set(nodes.map((n) => n.parent));
      const access = nodes.filter((n) => n.role === 'access');
      t = { core: nodes[0], middles: access.filter((n) => parents.has(n.id)), leaves: access.filter((n) => !parents.has(n.id)) };
      this.targetsByUnit.set(unit, t);
    }
    return t;
  }

  private isActive(f: Fault, ts: number): boolean {
    return f.startedAt !== undefined && f.startedAt <= ts && ts < f.startedAt + f.durationMs;
  }

  private unitPoints(unit: string, ts: number, dt: number, load: number, out: RawPoint[]): void {
    const r = this.random;
    const active = this.faults.filter((f) => this.isActive(f, ts) && f.unit === unit);
    const storms = active.filter((f) => f.kind === 'latency_storm');
    const downNodes = new Set(active.filter((f) => f.kind === 'link_down').map((f) => f.node!));
    const nodes = this.nodesByUnit.get(unit)!;
    for (const node of nodes) {
      node.pendingDt += dt;
      if (node.everyMs !== undefined) {
        // A node with a longer interval (a village) emits once per slot of its own phase, so a
        // unit's villages spread over the seconds instead of arriving together.
        const slot = Math.floor((ts + node.phase) / node.everyMs);
        if (slot === node.slot) continue;
        node.slot = slot;
      }
      const step = node.pendingDt;
      node.pendingDt = 0;
      // Every walk steps on every emission, faults or not, so the random sequence does not depend on them.
      const latencyWalk = node.latency.step(step, r);
      const jitterWalk = node.jitter.step(step, r);
      const lossRoll = r();
      const lossNoise = uniform(r, 0.01, 0.05);
      const stormLoss = uniform(r, 0.5, 5);
      // A fault on the node or any node it sits behind (a township down takes its villages).
      const down = node.lineage.some((id) => downNodes.has(id));
      const storm = storms.find((f) => f.node === undefined || node.lineage.includes(f.node));
      const tags: Record<string, string> = { district: node.district ?? unit, node: node.id, target: node.target ?? 'city-core', role: node.role };
      if (node.district !== undefined) tags.unit = unit;
      if (node.level !== undefined) tags.level = node.level;
      if (node.parent) tags.parent = node.parent;

      if (down) {
        // Unreachable: no round trip, so no latency or jitter sample, as a real ping reports.
        out.push({ metric: 'net.up', ts, value: 0, tags }, { metric: 'net.loss_pct', ts, value: 100, tags });
      } else {
        const factor = storm ? storm.factor : 1;
        const latency = Math.max(0.2 * node.baseLatencyMs, node.baseLatencyMs * latencyWalk * (1 + 0.15 * load)) * factor;
        const jitter = Math.max(0.02, node.baseLatencyMs * 0.08 * jitterWalk) * (storm ? factor * 0.6 : 1);
        const loss = storm ? stormLoss : lossRoll < 0.03 ? lossNoise : 0;
        out.push(
          { metric: 'net.up', ts, value: 1, tags },
          { metric: 'net.latency_ms', ts, value: round(latency), tags },
          { metric: 'net.loss_pct', ts, value: round(loss), tags },
          { metric: 'net.jitter_ms', ts, value: round(jitter), tags },
        );
      }

      if (node.link) {
        const link = node.link;
        const utilWalk = link.util.step(step, r);
        const outRatio = clamp(link.outRatio.step(step, r), 0.2, 0.9);
        const errorRoll = r();
        // Errors grow with traffic and burst in a storm (what a flapping optic looks like).
        const errorRate = 0.002 * (1 + load) * (storm ? 60 : 1);
        link.errorsTotal += Math.floor(errorRate * step + errorRoll);
        if (down) continue; // the router does not answer SNMP either (nor can it be reached behind a fallen parent)
        const util = clamp(2 + link.peakUtilPct * load * utilWalk, 0.5, 99.5);
        const inBps = Math.round((util / 100) * link.capacityBps);
        const outBps = Math.round(inBps * outRatio);
        const ifTags: Record<string, string> = { district: node.district ?? unit, node: node.id, role: node.role, interface: 'uplink' };
        if (node.district !== undefined) ifTags.unit = unit;
        if (node.level !== undefined) ifTags.level = node.level;
        out.push(
          { metric: 'net.if_in_bps', ts, value: inBps, tags: ifTags },
          { metric: 'net.if_out_bps', ts, value: outBps, tags: ifTags },
          { metric: 'net.if_util_pct', ts, value: round((Math.max(inBps, outBps) / link.capacityBps) * 100), tags: ifTags },
          { metric: 'net.if_errors_total', ts, value: link.errorsTotal, tags: ifTags },
        );
      }
    }
  }

  private platformPoints(p: PlatformState, ts: number, dt: number, load: number, out: RawPoint[]): void {
    const r = this.random;
    const outage = (platform: SimulatedPlatform) => this.faults.some((f) => f.platform === platform && this.isActive(f, ts));

    for (const host of p.hosts) {
      const cpu = clamp(host.cpuBase * host.cpu.step(dt, r) + 35 * load, 1, 99.5);
      const mem = clamp(host.mem.step(dt, r) + 6 * load, 5, 99.5);
      const disk = clamp(host.disk.step(dt, r), 5, 99.5);
      const tags = { district: PLATFORM_DISTRICT, node: host.id, platform: 'cloud' };
      out.push(
        { metric: 'host.cpu_pct', ts, value: round(cpu), tags },
        { metric: 'host.mem_pct', ts, value: round(mem), tags },
        { metric: 'host.disk_pct', ts, value: round(disk), tags },
      );
    }

    // Article 11 migration shows as systems slowly coming onto the sub-platform, now and then one stopped.
    const hours = dt / 3_600;
    for (const [unit, running] of p.systems) {
      const up = r() < 0.6 * hours ? 1 : 0;
      const downBy = r() < 0.2 * hours ? 1 : 0;
      const next = Math.max(0, running + up - downBy);
      p.systems.set(unit, next);
      out.push({ metric: 'cloud.systems_running', ts, value: next, tags: { district: unit, node: 'cloud-subplatform', platform: 'cloud' } });
    }

    const s = p.share;
    const shareDown = outage('share');
    const shareCallsRate = 150 * (0.04 + load); // calls per second
    const recordsPerCall = clamp(s.recordsPerCall.step(dt, r), 5, 60);
    const successWalk = s.success.step(dt, r);
    const shareLatencyWalk = s.latency.step(dt, r);
    const shareRolls = [r(), r(), r()];
    const shareFailing = uniform(r, 10, 60);
    // While down, clients retry and fail fast: calls still count, records do not move.
    const calls = Math.floor(shareCallsRate * dt * (shareDown ? 0.1 : 1) + shareRolls[0]);
    s.apiCalls += calls;
    if (!shareDown) s.records += Math.floor(calls * recordsPerCall + shareRolls[1]);
    if (shareRolls[2] < 2 * load * hours) s.catalog += 1;
    const shareTags = { district: PLATFORM_DISTRICT, node: 'share-platform', platform: 'share' };
    out.push(
      { metric: 'share.up', ts, value: shareDown ? 0 : 1, tags: shareTags },
      { metric: 'share.api_calls_total', ts, value: s.apiCalls, tags: shareTags },
      { metric: 'share.records_total', ts, value: s.records, tags: shareTags },
      { metric: 'share.success_pct', ts, value: round(shareDown ? shareFailing : clamp(successWalk, 98.5, 100), 3), tags: shareTags },
      { metric: 'share.catalog_resources', ts, value: s.catalog, tags: shareTags },
    );
    if (!shareDown) {
      out.push({ metric: 'share.latency_ms', ts, value: round(Math.max(60, 240 * shareLatencyWalk * (1 + 0.5 * load)), 1), tags: shareTags });
    }

    const o = p.open;
    const openDown = outage('open');
    const openLatencyWalk = o.latency.step(dt, r);
    const openRolls = [r(), r(), r()];
    if (!openDown) {
      o.apiCalls += Math.floor(25 * (0.1 + load) * dt + openRolls[0]);
      o.downloads += Math.floor(1.5 * (0.1 + load) * dt + openRolls[1]);
      if (openRolls[2] < 0.5 * load * hours) o.datasets += 1;
    }
    const openTags = { district: PLATFORM_DISTRICT, node: 'open-platform', platform: 'open' };
    out.push(
      { metric: 'open.up', ts, value: openDown ? 0 : 1, tags: openTags },
      { metric: 'open.api_calls_total', ts, value: o.apiCalls, tags: openTags },
      { metric: 'open.downloads_total', ts, value: o.downloads, tags: openTags },
      { metric: 'open.datasets', ts, value: o.datasets, tags: openTags },
    );
    if (!openDown) {
      out.push({ metric: 'open.latency_ms', ts, value: round(Math.max(120, 520 * openLatencyWalk * (1 + 0.4 * load)), 1), tags: openTags });
    }
  }
}
