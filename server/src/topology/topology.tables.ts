/** A configured topology link (config file or admin API); data-learnt links are not stored. */
export interface TopologyNodeTable {
  node: string;
  parent: string | null;
  role: string | null;
  label: string | null;
  /** `config` (from ZHUYUN_TOPOLOGY, replaced at each start) or `api` (admin API). */
  source: string;
  updated_at: number;
}

export interface TopologySchema {
  topology_nodes: TopologyNodeTable;
}
