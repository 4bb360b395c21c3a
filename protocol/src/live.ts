import type { Platform } from './metrics.js';
import { isUnitCode } from './units.js';
import type { StatusCause } from './status-causes.js';

/** Socket.io namespace of the live feed. */
export const LIVE_NAMESPACE = '/live';
/** Client → server: `subscribe` / `unsubscribe` with an array of topics. */
export const LIVE_EVENTS = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  snapshot: 'snapshot',
  frame: 'frame',
  /** Server → client when a topic cannot be subscribed: `{ topic, error }`. */
  subscribeError: 'subscribe_error',
} as const;
/** Most topics one socket may hold. */
export const MAX_TOPICS_PER_SOCKET = 64;

export type NodeStatus = 'up' | 'degraded' | 'down' | 'unknown';
/** Worst first: the order a district takes the worst of its nodes in. */
export const STATUS_SEVERITY: Record<NodeStatus, number> = { down: 3, degraded: 2, unknown: 1, up: 0 };
export type StatusCounts = Record<NodeStatus, number>;

export type Topic =
  | { kind: 'overview' }
  | { kind: 'district'; code: string }
  | { kind: 'node'; id: string }
  | { kind: 'alerts' }
  | { kind: 'migration' }
  | { kind: 'sla' };

/** Reads a topic string (`overview`, `district:520103`, `node:yy-core-1`...); undefined if not one. */
export function parseTopic(topic: unknown): Topic | undefined {
  if (typeof topic !== 'string' || topic.length > 160) return undefined;
  if (topic === 'overview' || topic === 'alerts' || topic === 'migration' || topic === 'sla') return { kind: topic };
  const i = topic.indexOf(':');
  if (i < 0) return undefined;
  const head = topic.slice(0, i);
  const rest = topic.slice(i + 1);
  if (head === 'district' && isUnitCode(rest)) return { kind: 'district', code: rest };
  if (head === 'node' && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(rest)) return { kind: 'node', id: rest };
  return undefined;
}

/**
 * One message of the live feed with whole data: every `snapshot`, and the `frame`s of topics other
 * than `overview` and `district:<code>`. Those two topics' frames are `LiveDeltaFrame`s: what changed
 * since `seq` - 1 (live-delta.ts; with ZHUYUN_LIVE_WHOLE_FRAMES=1 they are whole too).
 */
export interface LiveFrame<T = unknown> {
  topic: string;
  /** Per topic, +1 for each frame; a snapshot carries the current value. A gap means frames were missed. */
  seq: number;
  /** Server time the data was computed, epoch ms. */
  ts: number;
  data: T;
}

export interface NodeState {
  id: string;
  district: string;
  unit: string;
  platform?: Platform;
  status: NodeStatus;
  /** Topology parent's node id, when the topology names one. */
  parent?: string;
  /**
   * Its level in the city's tree, from the points' `level` tag (`city`, `unit`, `township`,
   * `village`, `department`): the drill-down sorts and filters by it. Absent when no point said.
   */
  level?: string;
  /** Its role from the points' `role` tag (`core`, `access`...), when a point said. */
  role?: string;
  /** Its name (e.g. 红枫湖镇), when the server knows one: views show it first and the id second. */
  name?: string;
  /**
   * Set when an ancestor is down: the id of the nearest down ancestor. The node is then shown as
   * unreachable behind it and its alerts are suppressed (its own measurements go on).
   */
  behind?: string;
  /**
   * Silent past ZHUYUN_NODE_STALE_AFTER (no point of any age): shown apart, and left out of its
   * unit's status and counts (a dead branch office does not grey its district; docs/NODES.md).
   */
  stale?: true;
  /** Why it is not `up`, one line per crossed threshold, e.g. `net.latency_ms 62 ≥ 50`. */
  reasons: string[];
  /**
   * The same causes as codes and parameters, one per reason, for the dashboard to word
   * (status-causes.ts). Absent from older servers: then the view shows `reasons`.
   */
  causes?: StatusCause[];
  /** Timestamp of the newest point, epoch ms. */
  lastSeen: number;
  /** Latest value per metric; counters (`_total`) also as `<name>:rate` per second. */
  metrics: Record<string, number>;
}

export interface UnitSummary {
  code: string;
  status: NodeStatus;
  counts: StatusCounts;
  /** Median over the unit's nodes of their latest latency / loss; null when none reports it. */
  latencyMs: number | null;
  lossPct: number | null;
  /** Nodes silent past ZHUYUN_NODE_STALE_AFTER, not in `status` or `counts` (docs/NODES.md). */
  stale?: number;
  /**
   * `counts` split by level in the city's tree (unitLevelOf), stale nodes left out as in `counts`;
   * only the levels the unit has nodes of. Nodes whose points carry no `level` tag are in `counts`
   * and in no level; absent when no node of the unit has a level (the small fleet, older servers).
   */
  levels?: Partial<Record<UnitLevel, StatusCounts>>;
}

/** The levels a unit's nodes are counted by: its core(s), townships, villages, departments. */
export type UnitLevel = 'core' | 'township' | 'village' | 'department';
export const UNIT_LEVELS: readonly UnitLevel[] = ['core', 'township', 'village', 'department'];

/**
 * A node's `level` tag as a unit level: the city core and the unit cores are `core`; township,
 * village and department as they are; anything else (no tag, an unknown one) undefined.
 */
export function unitLevelOf(level: string | undefined): UnitLevel | undefined {
  if (level === 'city' || level === 'unit') return 'core';
  return level === 'township' || level === 'village' || level === 'department' ? level : undefined;
}

export interface PlatformSummary {
  platform: Platform;
  status: NodeStatus;
  counts: StatusCounts;
  /** Headline figures: for share/open `up`, `latency_ms`, rates; for cloud host means and systems. */
  figures: Record<string, number>;
}

export interface StatusChange {
  ts: number;
  kind: 'node' | 'unit' | 'platform';
  id: string;
  /**
   * A node's registry name (kind `node`), when the server knows one: added as the overview is served
   * (the current name, so a renamed node shows its new one); views show it first and the id second.
   */
  name?: string;
  unit?: string;
  from: NodeStatus;
  to: NodeStatus;
  /** A node change's first cause in plain English (as `NodeState.reasons`). */
  reason?: string;
  /** The same cause as code and parameters (status-causes.ts), for the dashboard to word. */
  cause?: StatusCause;
}

/** Data of topic `overview`. */
export interface OverviewData {
  units: UnitSummary[];
  /** Extranet nodes of all units. */
  counts: StatusCounts;
  latencyMs: number | null;
  lossPct: number | null;
  platforms: PlatformSummary[];
  /** Newest first, bounded. */
  changes: StatusChange[];
}

/**
 * Most nodes a `district:<code>` frame carries. The real city's largest unit has a few hundred
 * nodes, so it is always whole; past this (a unit grown by a flood of node names, docs/RELIABILITY.md
 * "Cardinality limits") the frame keeps the worst first and stays a size every client can read.
 */
export const MAX_DISTRICT_FRAME_NODES = 500;

/** Data of topic `district:<code>`. */
export interface DistrictData {
  /** Counts and medians over every node of the unit, truncated or not. */
  unit: UnitSummary;
  /** Worst status first (down, degraded, unknown, up), then by id; at most MAX_DISTRICT_FRAME_NODES. */
  nodes: NodeState[];
  /** How many extranet nodes the unit has; more than `nodes.length` when `truncated`. */
  total: number;
  truncated: boolean;
}

/** Data of topic `node:<id>`; null while the node is not known. */
export type NodeData = NodeState | null;

export function emptyCounts(): StatusCounts {
  return { up: 0, degraded: 0, down: 0, unknown: 0 };
}
