/**
 * `GET /api/v1/simulation/history`: the demo's first start filling the last full month and this
 * month from the simulated city (docs/SLA.md "The demo's history"). The dashboard shows a banner
 * while `state` is `running`.
 */
export type HistoryFillState =
  /** Not configured: no simulation, or ZHUYUN_SIMULATE_HISTORY=0. */
  | 'off'
  /** Will start in a moment (the server is starting). */
  | 'waiting'
  | 'running'
  | 'done'
  /** Not filled: a start before this one filled it, or the database already holds data of the range. */
  | 'skipped'
  | 'failed';

export interface HistoryFillStatus {
  state: HistoryFillState;
  /** 0–100 while running; 100 when done. */
  percent: number;
  /** What is being written now: `rollups`, `sla`, `alerts`. */
  phase?: string;
  /** The filled range [from, to), epoch ms: the previous Beijing month's start to the moment live data took over. */
  from?: number;
  to?: number;
  /** Why skipped or failed. */
  reason?: string;
  /** How long the fill took, ms (when done). */
  tookMs?: number;
}
