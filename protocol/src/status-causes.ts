import { DEFAULT_THRESHOLDS, type Threshold } from './metrics.js';

/**
 * Why a node is not `up`, as a code and parameters (issue 15 item 4): the dashboard words it from
 * its catalogue (zh-CN, en) wherever a status cause is shown. `NodeState.reasons` and
 * `StatusChange.reason` still carry the same causes as plain English lines (logs, the API, older
 * dashboards); `causes` / `cause` are what a view words.
 *
 * Codes and their parameters:
 * - `no-data` `{ s }`: no point for `s` seconds (three collection intervals): unknown.
 * - `late-points` `{ min }`: points keep coming but `min` minutes old (a slow collector clock, a
 *   spool replay): stored, not live; unknown.
 * - `up-zero` `{ metric }`: an up-metric (`net.up`, `share.up`...) is 0: down.
 * - `threshold` `{ metric, value, op, limit, level }`: `value op limit` crossed the `level`
 *   (`warning`: degraded, `critical`: down) threshold.
 * - `threshold-held` `{ metric, value, op, limit, level, recover }`: the threshold was crossed and
 *   the value is back on the good side of `limit` but not past `recover` yet: the status holds
 *   (hysteresis, statusRecovery).
 * A code a dashboard does not know is shown by its English reason.
 */
export type StatusCauseCode = 'no-data' | 'late-points' | 'up-zero' | 'threshold' | 'threshold-held';

export interface StatusCause {
  code: StatusCauseCode | (string & {});
  params: Record<string, string | number>;
}

/**
 * Status hysteresis (issue 15 item 5): a node enters a threshold's status at the threshold and
 * leaves it only once the value is past this recovery level. The margin is the one the seeded alert
 * rules resolve by (server/src/alerts/alert-rules.ts defaultRules): 10 % of the threshold for a
 * higher-is-worse metric (70 % → 63 %); for a lower-is-worse one, half the way to 100 % or 1 % of
 * the threshold, whichever is smaller (99 % → 99.5 %).
 */
export function statusRecovery(metric: string | Threshold, level: 'warning' | 'critical', thresholds: readonly Threshold[] = DEFAULT_THRESHOLDS): number {
  const t = typeof metric === 'string' ? thresholds.find((x) => x.metric === metric) : metric;
  if (!t) throw new Error(`no threshold for ${String(metric)}`);
  const limit = t[level];
  const above = t.direction === 'above';
  const margin = above ? limit * 0.1 : Math.min((100 - limit) * 0.5, limit * 0.01);
  return Math.round((above ? limit - margin : limit + margin) * 1e6) / 1e6;
}
