import type { NodeStatus } from '@zhuyun/protocol';

/*
 * The topology answer's wire shape. The view draws it as a foldable tree: the hierarchy is
 * `topology.tree.ts`, the chart option `topology-tree.option.ts` (issue 14: the one-ring graph that
 * was here could not hold 1,800 nodes).
 */

/** One row of `GET /api/v1/topology` (docs/TOPOLOGY.md). */
export interface TopologyNode {
  node: string;
  /** The node's name, when the server knows it (the simulated city's names). */
  name?: string;
  parent?: string;
  role?: string;
  unit?: string;
  status: NodeStatus;
  /** Nearest down ancestor: the node is unreachable behind it. */
  behind?: string;
  configured: boolean;
}

export interface TopologyResponse {
  nodes: TopologyNode[];
}
