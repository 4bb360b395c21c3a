import { STATUS_SEVERITY, UNITS, findUnit, type NodeStatus } from '@zhuyun/protocol';
import type { TopologyNode } from './topology.option';

/**
 * The topology as a hierarchy the view can fold: the city → its districts and zones → each unit's
 * nodes by their parent links (a unit core → townships and departments → villages). Pure: the view
 * keeps which vertices are expanded; this module says what hangs where, how bad each subtree is and
 * which path leads to a search hit.
 */
export type VertexKind = 'city' | 'unit' | 'node';

export interface TopoVertex {
  /** `city` (or the city core's node id), `unit:<code>`, or a node id. */
  id: string;
  kind: VertexKind;
  /** The measured node this vertex stands for: a node, the city core, or a unit folded with its one core. */
  node?: string;
  /** The node's name when the topology answer carries one. */
  name?: string;
  unit?: string;
  role?: string;
  behind?: string;
  parent: string | null;
  children: string[];
  depth: number;
}

export interface TopoTree {
  root: string;
  vertices: ReadonlyMap<string, TopoVertex>;
  /** Node id → the vertex that stands for it (a folded unit core maps to its unit's vertex). */
  vertexOfNode: ReadonlyMap<string, string>;
  /** Node id → its measured status, as the topology answer gave it. */
  status: ReadonlyMap<string, NodeStatus>;
  /** Every vertex once, the root first and parents before their children (breadth first). */
  order: readonly string[];
}

/** One collator for every sort (`localeCompare` builds one per call: 10,000 nodes paid that). */
const collator = new Intl.Collator();

/** The root drawn when no node is the city core. */
export const CITY_ID = 'city';
const UNIT_PREFIX = 'unit:';

export function unitVertexId(code: string): string {
  return `${UNIT_PREFIX}${code}`;
}

/**
 * Builds the hierarchy from the topology answer's links.
 * - The city: the one node without a (known) parent whose children sit in two or more units (the
 *   city core `gy-core`); without one, a drawn root `city`.
 * - Under the city, a vertex per unit that has nodes, in protocol order.
 * - A node hangs under its parent when the parent is known and in the same unit; otherwise (a unit
 *   core whose uplink is the city core, a node without a parent) under its unit, or under the city
 *   when it has no known unit. A loop in bad data is cut at the unit.
 * - A unit whose only top node is a core or aggregation node is folded with it: clicking 清镇 shows
 *   its townships and departments at once, not one core vertex first.
 * Children are ordered: nodes with children first (townships before departments), then by id.
 */
export function buildTopologyTree(nodes: readonly TopologyNode[]): TopoTree {
  const byNode = new Map(nodes.map((n) => [n.node, n]));
  const knownParent = (n: TopologyNode) => (n.parent && n.parent !== n.node && byNode.has(n.parent) ? n.parent : undefined);
  const unitOf = (n: TopologyNode) => (n.unit && findUnit(n.unit) ? n.unit : undefined);

  // The city core: parentless, its children in two or more units.
  const childUnits = new Map<string, Set<string>>();
  for (const n of nodes) {
    const p = knownParent(n);
    if (!p) continue;
    const s = childUnits.get(p) ?? new Set<string>();
    s.add(n.unit ?? '');
    childUnits.set(p, s);
  }
  const cityNode = nodes.find((n) => !knownParent(n) && (childUnits.get(n.node)?.size ?? 0) >= 2);
  const root = cityNode ? cityNode.node : CITY_ID;

  const vertices = new Map<string, TopoVertex>();
  vertices.set(root, {
    id: root,
    kind: 'city',
    parent: null,
    children: [],
    depth: 0,
    ...(cityNode ? { node: cityNode.node, ...(cityNode.name ? { name: cityNode.name } : {}), ...(cityNode.role ? { role: cityNode.role } : {}) } : {}),
  });

  // Tree parent of each node (before folding).
  const parentOf = new Map<string, string>();
  for (const n of nodes) {
    if (n.node === root) continue;
    const p = knownParent(n);
    const unit = unitOf(n);
    const sameUnit = p !== undefined && p !== root && (byNode.get(p)!.unit ?? undefined) === (n.unit ?? undefined);
    parentOf.set(n.node, sameUnit ? p : unit ? unitVertexId(unit) : root);
  }
  // Cut loops: a chain of node parents that never reaches a unit or the city.
  for (const id of parentOf.keys()) {
    let at = parentOf.get(id)!;
    let steps = 0;
    while (parentOf.has(at) && steps < 64) {
      at = parentOf.get(at)!;
      steps++;
    }
    if (parentOf.has(at)) {
      const unit = unitOf(byNode.get(id)!);
      parentOf.set(id, unit ? unitVertexId(unit) : root);
    }
  }

  const unitOrder = new Map(UNITS.map((u, i) => [u.code, i]));
  const usedUnits = new Set<string>();
  for (const p of parentOf.values()) if (p.startsWith(UNIT_PREFIX)) usedUnits.add(p.slice(UNIT_PREFIX.length));
  for (const code of [...usedUnits].sort((a, b) => (unitOrder.get(a) ?? 99) - (unitOrder.get(b) ?? 99))) {
    vertices.set(unitVertexId(code), { id: unitVertexId(code), kind: 'unit', unit: code, parent: root, children: [], depth: 1 });
  }
  for (const n of nodes) {
    if (n.node === root) continue;
    vertices.set(n.node, {
      id: n.node,
      kind: 'node',
      node: n.node,
      ...(n.name ? { name: n.name } : {}),
      ...(n.unit ? { unit: n.unit } : {}),
      ...(n.role ? { role: n.role } : {}),
      ...(n.behind ? { behind: n.behind } : {}),
      parent: parentOf.get(n.node)!,
      children: [],
      depth: 0,
    });
  }
  const children = new Map<string, string[]>();
  for (const [id, p] of parentOf) {
    const list = children.get(p) ?? [];
    list.push(id);
    children.set(p, list);
  }
  vertices.get(root)!.children = [...usedUnits].map(unitVertexId).sort((a, b) => (unitOrder.get(a.slice(5)) ?? 99) - (unitOrder.get(b.slice(5)) ?? 99));
  vertices.get(root)!.children.push(...(children.get(root) ?? []).sort());
  const vertexOfNode = new Map<string, string>(nodes.map((n) => [n.node, n.node]));

  // Fold a unit with its one core.
  for (const code of usedUnits) {
    const uid = unitVertexId(code);
    const top = children.get(uid) ?? [];
    const only = top.length === 1 ? byNode.get(top[0]) : undefined;
    if (only && (only.role === 'core' || only.role === 'aggregation')) {
      const u = vertices.get(uid)!;
      u.node = only.node;
      if (only.name) u.name = only.name;
      u.role = only.role;
      if (only.behind) u.behind = only.behind;
      vertices.delete(only.node);
      vertexOfNode.set(only.node, uid);
      children.set(uid, children.get(only.node) ?? []);
      children.delete(only.node);
      for (const k of children.get(uid)!) vertices.get(k)!.parent = uid;
    }
  }
  const hasKids = (id: string) => (children.get(id)?.length ?? 0) > 0;
  for (const [id, kids] of children) {
    if (id === root) continue;
    const v = vertices.get(id);
    if (v) v.children = [...kids].sort((a, b) => Number(hasKids(b)) - Number(hasKids(a)) || collator.compare(a, b));
  }
  // Depths, from the root down (each vertex once); the order kept for the summaries' one pass back up.
  const order = [root];
  for (let i = 0; i < order.length; i++) {
    const v = vertices.get(order[i])!;
    for (const k of v.children) {
      vertices.get(k)!.depth = v.depth + 1;
      order.push(k);
    }
  }
  return { root, vertices, vertexOfNode, status: new Map(nodes.map((n) => [n.node, n.status])), order };
}

const STATUSES: readonly NodeStatus[] = ['up', 'degraded', 'down', 'unknown'];

export interface SubtreeSummary {
  /** The worst status of every node in the subtree (its own node included); unknown when empty. */
  worst: NodeStatus;
  /** Nodes in the subtree (its own node included). */
  total: number;
  counts: Record<NodeStatus, number>;
}

/**
 * Each vertex's summary over its whole subtree, not only its core: a unit with 5 of 9 nodes down is
 * down. `status` gives a node's measured status (a node without one counts as unknown).
 */
export function worstOfSubtree(tree: TopoTree, status: ReadonlyMap<string, NodeStatus> | ((node: string) => NodeStatus | undefined)): Map<string, SubtreeSummary> {
  const statusOf = typeof status === 'function' ? status : (n: string) => status.get(n);
  const out = new Map<string, SubtreeSummary>();
  // One linear pass back up the breadth-first order: every child is summed before its parent.
  for (let i = tree.order.length - 1; i >= 0; i--) {
    const v = tree.vertices.get(tree.order[i])!;
    const counts: Record<NodeStatus, number> = { up: 0, degraded: 0, down: 0, unknown: 0 };
    let total = 0;
    if (v.node) {
      counts[statusOf(v.node) ?? 'unknown']++;
      total++;
    }
    for (const k of v.children) {
      const s = out.get(k);
      if (!s) continue;
      total += s.total;
      counts.up += s.counts.up;
      counts.degraded += s.counts.degraded;
      counts.down += s.counts.down;
      counts.unknown += s.counts.unknown;
    }
    let worst: NodeStatus = total === 0 ? 'unknown' : 'up';
    for (const st of STATUSES) if (counts[st] > 0 && STATUS_SEVERITY[st] > STATUS_SEVERITY[worst]) worst = st;
    out.set(v.id, { worst, total, counts });
  }
  return out;
}

/** The vertices from the root down to `id` (both included); [] when `id` is not in the tree. */
export function pathTo(tree: TopoTree, id: string): string[] {
  const path: string[] = [];
  let at: string | null = tree.vertices.has(id) ? id : null;
  while (at !== null && path.length <= tree.vertices.size) {
    path.unshift(at);
    at = tree.vertices.get(at)!.parent;
  }
  return path;
}

/** What a vertex is called on screen: its node's name, else the unit's name (given), else its id. */
export type VertexNamer = (v: TopoVertex) => string;

/**
 * Vertices matching a search, best first (at most `limit`): an exact id, node id or statistical code
 * (`520181100001` finds `v520181100001`), then names and ids that start with the text, then those
 * that contain it. Case does not matter; an empty text finds nothing.
 */
export function searchTopology(tree: TopoTree, text: string, nameOf: VertexNamer, limit = 8): string[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const scored: Array<[number, number, string]> = [];
  for (const v of tree.vertices.values()) {
    const keys = [v.id, v.node ?? '', v.unit && v.kind === 'unit' ? v.unit : ''].map((s) => s.toLowerCase());
    const codes = keys.map((k) => (/^[tv]\d+$/.test(k) ? k.slice(1) : k));
    const name = nameOf(v).toLowerCase();
    let score = -1;
    if (keys.includes(q) || codes.includes(q) || name === q) score = 0;
    else if (name.startsWith(q) || codes.some((k) => k && k.startsWith(q)) || keys.some((k) => k && k.startsWith(q))) score = 1;
    else if (name.includes(q) || keys.some((k) => k.includes(q))) score = 2;
    if (score >= 0) scored.push([score, v.depth, v.id]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2]));
  return scored.slice(0, limit).map((s) => s[2]);
}

/** The vertices drawn for an expanded set: the root, and the children of every drawn expanded vertex. */
export function drawnVertices(tree: TopoTree, expanded: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const stack = [tree.root];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    if (expanded.has(id)) stack.push(...[...tree.vertices.get(id)!.children].reverse());
  }
  return out;
}

/** How many columns (levels) and rows (drawn leaves) the drawn part of the tree takes. */
export function drawnExtent(tree: TopoTree, expanded: ReadonlySet<string>): { columns: number; rows: number } {
  let columns = 0;
  let rows = 0;
  const stack: Array<[string, number]> = [[tree.root, 1]];
  while (stack.length) {
    const [id, col] = stack.pop()!;
    columns = Math.max(columns, col);
    const kids = tree.vertices.get(id)!.children;
    if (expanded.has(id) && kids.length) for (const k of kids) stack.push([k, col + 1]);
    else rows++;
  }
  return { columns, rows };
}

/** Whether two topology answers hang the same vertices in the same places (statuses aside). */
export function sameTopologyShape(a: readonly TopologyNode[], b: readonly TopologyNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.node !== y.node || x.parent !== y.parent || x.unit !== y.unit || x.role !== y.role || x.name !== y.name || x.behind !== y.behind) return false;
  }
  return true;
}

/**
 * The tree for a re-read answer: when it has the shape of the previous one (most re-reads: only
 * statuses moved), the previous tree with the new statuses, without building 10,000 vertices
 * again; otherwise built afresh. Either way equal to `buildTopologyTree(nodes)`.
 */
export function updateTopologyTree(prev: { tree: TopoTree; nodes: readonly TopologyNode[] } | null, nodes: readonly TopologyNode[]): TopoTree {
  if (prev && sameTopologyShape(prev.nodes, nodes)) return { ...prev.tree, status: new Map(nodes.map((n) => [n.node, n.status])) };
  return buildTopologyTree(nodes);
}
