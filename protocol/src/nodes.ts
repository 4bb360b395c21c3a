import type { NodeStatus } from './live.js';

/**
 * The node registry (issue 14, docs/NODES.md): each node id a collector sends, with its name.
 * `GET /api/v1/nodes`, `GET /api/v1/nodes/<id>`.
 */

/** Where a node stands in the city's tree (the simulated city's levels). */
export const NODE_LEVELS = ['city', 'unit', 'township', 'village', 'department'] as const;
export type NodeLevel = (typeof NODE_LEVELS)[number];
export const NODE_LEVEL_ZH: Readonly<Record<NodeLevel, string>> = { city: '市级', unit: '区县级', township: '乡镇级', village: '村级', department: '部门' };

/**
 * `active`: registered, its points taken. `retired`: an admin retired it (or revoked the only
 * collector that reported it): its points are refused. `refused`: ops refused an unregistered
 * node: its points are refused. `unregistered`: it reports but has no registry row (ops accept or
 * refuse it).
 */
export const NODE_REGISTRY_STATES = ['active', 'retired', 'refused', 'unregistered'] as const;
export type NodeRegistryState = (typeof NODE_REGISTRY_STATES)[number];

export interface NodeRecord {
  /** The ASCII id collectors send (the `node` tag). */
  id: string;
  /** Chinese name; the id when it has none yet (an unregistered or just accepted node). */
  name: string;
  level: NodeLevel | null;
  /** Parent node id. */
  parent: string | null;
  /** The unit it belongs to (node_units: where it was first seen, or where an admin moved it). */
  unit: string | null;
  /** GB/T 2260 administrative code: 9 digits for a township, 12 for a village. */
  adminCode: string | null;
  department: string | null;
  address: string | null;
  /** Operator (运维单位) and its contract. */
  operator: string | null;
  contract: string | null;
  registered: boolean;
  state: NodeRegistryState;
  /** Why it was retired or refused. */
  stateReason: string | null;
  /** Server time of the last change of `state`. */
  stateAt: number | null;
  /** Live status on the instance that answered; null when it is not reporting (not known live). */
  live: { status: NodeStatus; lastSeen: number; stale: boolean } | null;
  createdAt: number | null;
  updatedAt: number | null;
}

/** One hop of a node's path to the city core (`GET /api/v1/nodes/:id/path`). */
export interface NodePathHop {
  id: string;
  /** The registry's name; the id when it has none. */
  name: string;
  level: NodeLevel | null;
  unit: string | null;
  /** Live status on the instance that answered; null when the hop is not reporting. */
  status: NodeStatus | null;
  /** Set when an ancestor of this hop is down: the nearest down one. */
  behind: string | null;
  lastSeen: number | null;
}

/**
 * A node's way up: the node itself first, then its parent, its parent's parent... to the root (the
 * city core `gy-core` in the city's tree). `cut` says why it stops short of a root: a parent that is
 * named but neither registered nor reporting (`unknown-parent`), or a loop (`cycle`).
 */
export interface NodePathResponse {
  node: string;
  hops: NodePathHop[];
  cut: null | { reason: 'unknown-parent' | 'cycle'; parent: string };
}

export interface NodesResponse {
  /** Matching nodes in all (before paging). */
  total: number;
  offset: number;
  limit: number;
  /** Ordered by unit, then name, then id. */
  nodes: NodeRecord[];
}

export interface NodeImportReport {
  mode: 'all-or-nothing' | 'row-by-row';
  stored: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  blankRows: number;
  /** Each error by spreadsheet row (1 = header) and column as the file names it. */
  errors: Array<{ row: number; column: string; message: string }>;
}
