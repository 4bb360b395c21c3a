export interface UserTable {
  id: string;
  username: string;
  /** argon2id PHC string. */
  password_hash: string;
  /** DESIGN "Roles": admin, ops, operator, leader, district. */
  role: string;
  /** For role `district`: the unit code it may see. */
  district: string | null;
  /** For role `operator`: the operator name its SLA contracts carry. */
  operator: string | null;
  created_at: number;
  password_changed_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  /** sha256 of the session token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen: number;
  expires_at: number;
  revoked_at: number | null;
}

/** Append-only: rows are inserted, never updated or deleted by the application. */
export interface AuditTable {
  id: string;
  at: number;
  /** `user:<name>`, `cli`, `system`, `collector:<id>`, or the attempted name of a failed login. */
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  before: string | null;
  after: string | null;
  address: string | null;
}

export interface SecuritySchema {
  users: UserTable;
  sessions: SessionTable;
  audit_log: AuditTable;
}
