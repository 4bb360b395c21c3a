import type { NodePathHop, NodePathResponse } from '@zhuyun/protocol';

/** More hops than the city's tree has (city → unit → township → village is four): a guard, not a rule. */
export const MAX_PATH_HOPS = 32;

/**
 * A node's path to its root, pure: the node first, then each parent in turn. `hopOf` answers a hop
 * for a node the registry or the live state knows (undefined otherwise); `parentOf` its parent
 * (undefined or null at a root). Stops at a root, at a parent nobody knows (`cut: unknown-parent`),
 * or where a node comes again (`cut: cycle`; the topology API refuses cycles, but the points'
 * `parent` tags are not checked). Undefined when the node itself is unknown.
 */
export function walkPath(
  id: string,
  hopOf: (id: string) => NodePathHop | undefined,
  parentOf: (id: string) => string | null | undefined,
): NodePathResponse | undefined {
  const first = hopOf(id);
  if (!first) return undefined;
  const hops: NodePathHop[] = [first];
  const seen = new Set([id]);
  let at = id;
  for (;;) {
    const parent = parentOf(at);
    if (parent === undefined || parent === null || parent === '') return { node: id, hops, cut: null };
    if (seen.has(parent) || hops.length >= MAX_PATH_HOPS) return { node: id, hops, cut: { reason: 'cycle', parent } };
    const hop = hopOf(parent);
    if (!hop) return { node: id, hops, cut: { reason: 'unknown-parent', parent } };
    hops.push(hop);
    seen.add(parent);
    at = parent;
  }
}
