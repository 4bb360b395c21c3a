/** The node registry (migration 0011); its unit is node_units' (ingest/node-units.store.ts). */
export interface NodeTable {
  id: string;
  name: string;
  level: string | null;
  parent: string | null;
  admin_code: string | null;
  department: string | null;
  address: string | null;
  operator: string | null;
  contract: string | null;
  /** active | retired | refused */
  state: string;
  state_reason: string | null;
  state_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface NodesSchema {
  nodes: NodeTable;
}
