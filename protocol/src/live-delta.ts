import {
  STATUS_SEVERITY,
  type DistrictData,
  type NodeState,
  type OverviewData,
  type PlatformSummary,
  type StatusChange,
  type StatusCounts,
  type UnitSummary,
} from './live.js';

/**
 * The delta frames of the live feed (issue 14, docs/ARCHITECTURE.md "Live feed"). A `snapshot` is
 * always the topic's whole data. A `frame` of `overview` or `district:<code>` carries `delta`: what
 * changed since the frame (or snapshot) of `seq - 1`; every other topic's frame carries its whole
 * `data` as before. A client holds the data of the last seq it applied and applies each delta with
 * `applyTopicDelta`; a gap in `seq` still means "resubscribe for a fresh snapshot" (the delta of
 * `seq` is only valid on the data of `seq - 1`). With ZHUYUN_LIVE_WHOLE_FRAMES=1 the server sends
 * whole `data` in every frame instead (the old frames; the bench's "before").
 *
 * A seq names one state of a topic: the server keeps the data it last sent per topic and answers a
 * subscription with that state at that seq (it computes afresh only a topic nobody holds), so a
 * snapshot and the deltas after it always fit together.
 */

/** Changes of one node of a district: only the fields that differ from the node at `seq - 1`. */
export interface NodePatch {
  id: string;
  /** Fields (not `id`, not `metrics`) new or changed; a node new to the frame carries all of its. */
  set?: Partial<Omit<NodeState, 'id' | 'metrics'>>;
  /** Optional fields the node no longer has (e.g. `behind` once its ancestor is up again). */
  unset?: Array<Exclude<keyof NodeState, 'id' | 'metrics' | 'status' | 'district' | 'unit' | 'reasons' | 'lastSeen'>>;
  /** Metric values new or changed; null: the metric is gone. A new node carries all of its. */
  metrics?: Record<string, number | null>;
}

/** Delta of topic `district:<code>`. Absent fields did not change. */
export interface DistrictDelta {
  unit?: UnitSummary;
  total?: number;
  truncated?: boolean;
  /** Nodes new to the frame or changed. The order is not sent: it is `compareNodeStates`. */
  nodes?: NodePatch[];
  /** Ids of nodes no longer in the frame (gone, or past MAX_DISTRICT_FRAME_NODES of a truncated unit). */
  removed?: string[];
}

/** Delta of topic `overview`. Absent fields did not change. */
export interface OverviewDelta {
  /** Unit summaries that changed, by `code` (new codes are appended). */
  units?: UnitSummary[];
  counts?: StatusCounts;
  latencyMs?: number | null;
  lossPct?: number | null;
  /** Platform summaries that changed, by `platform` (new ones are appended). */
  platforms?: PlatformSummary[];
  /** The whole unit / platform list, when its keys changed otherwise (never for UNITS, PLATFORMS). */
  allUnits?: UnitSummary[];
  allPlatforms?: PlatformSummary[];
  /** Status changes new since `seq - 1`, newest first: put before the held ones, keep OVERVIEW_CHANGES. */
  newChanges?: StatusChange[];
  /** The whole list of changes, when it is not the held one with new changes in front. */
  changes?: StatusChange[];
}

export type TopicDelta = DistrictDelta | OverviewDelta;

/** How many status changes the overview carries (newest first). */
export const OVERVIEW_CHANGES = 30;

/** A `frame` carrying a delta instead of `data`. Same head (`topic`, `seq`, `ts`) as LiveFrame. */
export interface LiveDeltaFrame<D = TopicDelta> {
  topic: string;
  seq: number;
  ts: number;
  delta: D;
}

/** Topics whose frames are deltas. */
export function isDeltaTopic(topic: string): boolean {
  return topic === 'overview' || topic.startsWith('district:');
}

/** A district's node order: worst status first (down, degraded, unknown, up), then by id. */
export function compareNodeStates(a: Pick<NodeState, 'status' | 'id'>, b: Pick<NodeState, 'status' | 'id'>): number {
  return STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Structural equality of JSON values (what the wire carries). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** The patch from node `a` to node `b` (same id); undefined when equal. `a` undefined: all of `b`. */
export function diffNode(a: NodeState | undefined, b: NodeState): NodePatch | undefined {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  const metrics: Record<string, number | null> = {};
  for (const k of Object.keys(b) as Array<keyof NodeState>) {
    if (k === 'id' || k === 'metrics') continue;
    if (!a || !sameJson(a[k], b[k])) set[k] = b[k];
  }
  if (a) for (const k of Object.keys(a) as Array<keyof NodeState>) if (k !== 'id' && k !== 'metrics' && !(k in b)) unset.push(k);
  for (const m of Object.keys(b.metrics)) if (!a || a.metrics[m] !== b.metrics[m]) metrics[m] = b.metrics[m]!;
  if (a) for (const m of Object.keys(a.metrics)) if (!(m in b.metrics)) metrics[m] = null;
  if (a && isEmpty(set) && !unset.length && isEmpty(metrics)) return undefined;
  return {
    id: b.id,
    ...(isEmpty(set) ? {} : { set: set as NodePatch['set'] }),
    ...(unset.length ? { unset: unset as NodePatch['unset'] } : {}),
    ...(isEmpty(metrics) ? {} : { metrics }),
  };
}

export function applyNodePatch(a: NodeState | undefined, p: NodePatch): NodeState {
  const out = { ...(a ?? {}), ...(p.set ?? {}), id: p.id } as NodeState & Record<string, unknown>;
  for (const k of p.unset ?? []) delete out[k];
  const metrics = { ...(a?.metrics ?? {}) };
  for (const [m, v] of Object.entries(p.metrics ?? {})) {
    if (v === null) delete metrics[m];
    else metrics[m] = v;
  }
  out.metrics = metrics;
  return out;
}

/** What changed from `a` to `b`; undefined when nothing did (no frame). */
export function diffDistrict(a: DistrictData, b: DistrictData): DistrictDelta | undefined {
  const d: DistrictDelta = {};
  if (!sameJson(a.unit, b.unit)) d.unit = b.unit;
  if (a.total !== b.total) d.total = b.total;
  if (a.truncated !== b.truncated) d.truncated = b.truncated;
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const nodes: NodePatch[] = [];
  for (const n of b.nodes) {
    const p = diffNode(before.get(n.id), n);
    if (p) nodes.push(p);
  }
  const now = new Set(b.nodes.map((n) => n.id));
  const removed = a.nodes.filter((n) => !now.has(n.id)).map((n) => n.id);
  if (nodes.length) d.nodes = nodes;
  if (removed.length) d.removed = removed;
  return isEmpty(d) ? undefined : d;
}

export function applyDistrictDelta(a: DistrictData, d: DistrictDelta): DistrictData {
  const byId = new Map(a.nodes.map((n) => [n.id, n]));
  for (const id of d.removed ?? []) byId.delete(id);
  for (const p of d.nodes ?? []) byId.set(p.id, applyNodePatch(byId.get(p.id), p));
  return {
    unit: d.unit ?? a.unit,
    nodes: [...byId.values()].sort(compareNodeStates),
    total: d.total ?? a.total,
    truncated: d.truncated ?? a.truncated,
  };
}

/** Items of `b` that are new or differ from `a`'s of the same key. */
function changedBy<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): T[] {
  const before = new Map(a.map((x) => [key(x), x]));
  return b.filter((x) => !sameJson(before.get(key(x)), x));
}

/** Replaces the items of `a` by key with `changed`'s, appending new keys. */
function replaceBy<T>(a: readonly T[], changed: readonly T[], key: (x: T) => string): T[] {
  const by = new Map(changed.map((x) => [key(x), x]));
  const out = a.map((x) => by.get(key(x)) ?? x);
  const have = new Set(a.map(key));
  for (const x of changed) if (!have.has(key(x))) out.push(x);
  return out;
}

const unitKey = (u: UnitSummary) => u.code;
const platformKey = (p: PlatformSummary) => p.platform;

/**
 * What changed from `a` to `b`; undefined when nothing did. Units and platforms are a fixed list
 * (UNITS, PLATFORMS): a key list that changed otherwise is sent whole.
 */
export function diffOverview(a: OverviewData, b: OverviewData): OverviewDelta | undefined {
  const d: OverviewDelta = {};
  const sameKeys = <T>(x: readonly T[], y: readonly T[], key: (v: T) => string) => {
    const kx = x.map(key);
    const ky = y.map(key);
    // b's keys must be a's in order with new ones appended (what replaceBy builds).
    return kx.length <= ky.length && kx.every((k, i) => k === ky[i]);
  };
  if (sameKeys(a.units, b.units, unitKey)) {
    const u = changedBy(a.units, b.units, unitKey);
    if (u.length) d.units = u;
  } else d.allUnits = b.units;
  if (!sameJson(a.counts, b.counts)) d.counts = b.counts;
  if (a.latencyMs !== b.latencyMs) d.latencyMs = b.latencyMs;
  if (a.lossPct !== b.lossPct) d.lossPct = b.lossPct;
  if (sameKeys(a.platforms, b.platforms, platformKey)) {
    const p = changedBy(a.platforms, b.platforms, platformKey);
    if (p.length) d.platforms = p;
  } else d.allPlatforms = b.platforms;
  if (!sameJson(a.changes, b.changes)) {
    const fresh = newInFront(a.changes, b.changes);
    if (fresh) d.newChanges = fresh;
    else d.changes = b.changes;
  }
  return isEmpty(d) ? undefined : d;
}

/** The k newest of `b` when `b` is them in front of `a` cut to OVERVIEW_CHANGES; else undefined. */
function newInFront(a: readonly StatusChange[], b: readonly StatusChange[]): StatusChange[] | undefined {
  if (b.length > OVERVIEW_CHANGES) return undefined;
  for (let k = 1; k <= b.length; k++) {
    const kept = Math.min(a.length, OVERVIEW_CHANGES - k);
    if (b.length !== k + kept) continue;
    if (sameJson(b.slice(k), a.slice(0, kept))) return b.slice(0, k);
  }
  return undefined;
}

export function applyOverviewDelta(a: OverviewData, d: OverviewDelta): OverviewData {
  return {
    units: d.allUnits ?? (d.units ? replaceBy(a.units, d.units, unitKey) : a.units),
    counts: d.counts ?? a.counts,
    latencyMs: d.latencyMs !== undefined ? d.latencyMs : a.latencyMs,
    lossPct: d.lossPct !== undefined ? d.lossPct : a.lossPct,
    platforms: d.allPlatforms ?? (d.platforms ? replaceBy(a.platforms, d.platforms, platformKey) : a.platforms),
    changes: d.changes ?? (d.newChanges ? [...d.newChanges, ...a.changes].slice(0, OVERVIEW_CHANGES) : a.changes),
  };
}

/** The next data of a delta topic: `data` (of seq - 1) with `delta` (of seq) applied. Pure. */
export function applyTopicDelta<T>(topic: string, data: T, delta: TopicDelta): T {
  if (topic === 'overview') return applyOverviewDelta(data as OverviewData, delta as OverviewDelta) as T;
  return applyDistrictDelta(data as DistrictData, delta as DistrictDelta) as T;
}

/** The delta from `a` to `b` of a delta topic; undefined when nothing changed. */
export function diffTopic(topic: string, a: unknown, b: unknown): TopicDelta | undefined {
  if (topic === 'overview') return diffOverview(a as OverviewData, b as OverviewData);
  return diffDistrict(a as DistrictData, b as DistrictData);
}
