/** `GET /api/v1/collectors`: the collector registry, as the dashboard reads it. */
export type CollectorState = 'ok' | 'lost' | 'never_seen' | 'revoked';

export interface CollectorInfo {
  id: string;
  district: string;
  /**
   * Units it may report besides its district (`collector add --units`): codes, or `'*'` for every
   * unit. A point of any other unit is refused (docs/SECURITY.md "A collector writes only where it
   * stands").
   */
  units: string[] | '*';
  createdAt: number;
  revokedAt: number | null;
  /** What it says it is (its User-Agent). */
  version: string | null;
  /** Server time it was last heard from, epoch ms; null when never. */
  lastSeen: number | null;
  /**
   * Its clock minus the server's at its last batch, ms (negative: behind); null when not yet
   * estimated. Beyond ±FRESH_MS its points do not count as live (docs/COLLECTORS.md "Clock skew").
   */
  clockSkewMs: number | null;
  state: CollectorState;
  /** Seconds since it was last heard from; null when never. */
  silentS: number | null;
}

export interface CollectorsResponse {
  ts: number;
  counts: Record<CollectorState, number>;
  collectors: CollectorInfo[];
}
