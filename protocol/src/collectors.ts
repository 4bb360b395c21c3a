/** `GET /api/v1/collectors`: the collector registry, as the dashboard reads it. */
export type CollectorState = 'ok' | 'lost' | 'never_seen' | 'revoked';

export interface CollectorInfo {
  id: string;
  district: string;
  createdAt: number;
  revokedAt: number | null;
  /** What it says it is (its User-Agent). */
  version: string | null;
  /** Server time it was last heard from, epoch ms; null when never. */
  lastSeen: number | null;
  state: CollectorState;
  /** Seconds since it was last heard from; null when never. */
  silentS: number | null;
}

export interface CollectorsResponse {
  ts: number;
  counts: Record<CollectorState, number>;
  collectors: CollectorInfo[];
}
