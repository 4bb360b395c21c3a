/**
 * What the alert engine reports to the server's metrics, kept to a small interface so that
 * server/src/alerts does not depend on prom-client. Provided by OpsModule (global) under
 * ALERT_METRICS; injected `@Optional()` so alert tests without OpsModule run unchanged.
 */
export interface AlertMetricsSink {
  /** One evaluation of the rules: after a batch of points, or the periodic tick. */
  alertEvaluated(trigger: 'points' | 'tick'): void;
  /** One delivery attempt to a channel of this kind, with its outcome. */
  notificationAttempted(channelKind: string, outcome: 'ok' | 'retrying' | 'failed'): void;
}

export const ALERT_METRICS = Symbol('ALERT_METRICS');
