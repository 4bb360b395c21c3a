import type { NodeStatus } from '@zhuyun/protocol';

/** DESIGN "Topology": city core → district/zone aggregation → access points, cloud, platforms. */
export const NODE_ROLES = ['core', 'aggregation', 'access', 'cloud', 'platform'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** How deep a chain of parents may go; deeper (or a cycle) is refused. */
export const MAX_TOPOLOGY_DEPTH = 16;

export interface TopologyLink {
  node: string;
  /** null: a root (the city core, or a node declared to have none). */
  parent: string | null;
}

/**
 * The id of the nearest ancestor that is down, or undefined when every ancestor is up, degraded,
 * unknown or absent. A node is unreachable behind that ancestor. Cycles and chains deeper than
 * MAX_TOPOLOGY_DEPTH end the walk (the API refuses them; tags could still make one).
 */
export function nearestDownAncestor(
  id: string,
  parentOf: (id: string) => string | undefined,
  statusOf: (id: string) => NodeStatus | undefined,
): string | undefined {
  const seen = new Set<string>([id]);
  let cur = parentOf(id);
  for (let depth = 0; cur !== undefined && depth < MAX_TOPOLOGY_DEPTH; depth++) {
    if (seen.has(cur)) return undefined;
    seen.add(cur);
    if (statusOf(cur) === 'down') return cur;
    cur = parentOf(cur);
  }
  return undefined;
}

/**
 * Checks a set of links as a whole: every node once, no node its own ancestor, no chain deeper
 * than MAX_TOPOLOGY_DEPTH. Returns the problems, each naming the node.
 */
export function checkLinks(links: readonly TopologyLink[]): string[] {
  const problems: string[] = [];
  const parent = new Map<string, string | null>();
  for (const l of links) {
    if (parent.has(l.node)) problems.push(`node ${l.node}: listed twice`);
    if (l.parent === l.node) problems.push(`node ${l.node}: is its own parent`);
    parent.set(l.node, l.parent);
  }
  for (const l of links) {
    const seen = new Set<string>([l.node]);
    let cur = parent.get(l.node) ?? null;
    let depth = 0;
    while (cur !== null) {
      if (seen.has(cur)) {
        if (cur !== l.node || l.parent !== l.node) problems.push(`node ${l.node}: its parents form a cycle through ${cur}`);
        break;
      }
      if (++depth > MAX_TOPOLOGY_DEPTH) {
        problems.push(`node ${l.node}: more than ${MAX_TOPOLOGY_DEPTH} levels of parents`);
        break;
      }
      seen.add(cur);
      cur = parent.get(cur) ?? null;
    }
  }
  return [...new Set(problems)];
}
