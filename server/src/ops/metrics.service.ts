import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AlertMetricsSink } from './alert-metrics.js';
import { rejectionReason } from './rejection-reason.js';

/**
 * The server's own metrics, for `GET /metrics` (Prometheus text). One registry per application,
 * not prom-client's global one, so several apps in one test process do not collide.
 */
@Injectable()
export class MetricsService implements AlertMetricsSink {
  readonly registry = new Registry();

  readonly ingestBatches = new Counter({
    name: 'zhuyun_ingest_batches_total',
    help: 'Ingest batches by outcome (stored, duplicate, invalid, unauthorized, too_large).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestPoints = new Counter({
    name: 'zhuyun_ingest_points_total',
    help: 'Points received in ingest batches by result (accepted or rejected).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly ingestRejectedPoints = new Counter({
    name: 'zhuyun_ingest_rejected_points_total',
    help: 'Points refused at ingest by reason (shape, metric, ts, ts_future, ts_too_old, value, tags, district, parse, field_type, cardinality, unit_scope, node_unit, other).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly ingestCardinalityRefused = new Counter({
    name: 'zhuyun_ingest_cardinality_refused_points_total',
    help: 'Points refused by the cardinality limits, by limit (unit_nodes: ZHUYUN_MAX_NODES_PER_UNIT; collector_nodes: ZHUYUN_MAX_NODES_PER_COLLECTOR; new_series_rate: ZHUYUN_MAX_NEW_SERIES_PER_MINUTE).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly liveSockets = new Gauge({
    name: 'zhuyun_live_sockets',
    help: 'Sockets connected to the /live namespace.',
    registers: [this.registry],
  });

  readonly liveSlowDropped = new Counter({
    name: 'zhuyun_live_slow_clients_dropped_total',
    help: 'Live sockets dropped because more than ZHUYUN_LIVE_MAX_PENDING_BYTES waited to be written to them (a client that does not read).',
    registers: [this.registry],
  });

  readonly liveFrames = new Counter({
    name: 'zhuyun_live_frames_total',
    help: 'Live frames sent (one per topic per change, to all its subscribers).',
    registers: [this.registry],
  });

  /** Set at each scrape from the store's health() (HealthController). */
  readonly tsdbOutboxPoints = new Gauge({
    name: 'zhuyun_tsdb_outbox_points',
    help: 'Points accepted but not yet in the time-series database (the InfluxDB outbox); 0 with SQLite.',
    registers: [this.registry],
  });

  readonly tsdbUp = new Gauge({
    name: 'zhuyun_tsdb_up',
    help: 'Whether the time-series database answers without a problem (1) or not (0), as of this scrape.',
    registers: [this.registry],
  });

  readonly tsdbDroppedPoints = new Counter({
    name: 'zhuyun_tsdb_dropped_points_total',
    help: 'Accepted points the time-series database refused for good, by reason (rejected: InfluxDB answered 4xx, e.g. a field type conflict; unrepresentable: not expressible as line protocol).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Whole ingest requests (JSON `/api/v1/ingest`, line protocol `/write`), answer included. */
  readonly ingestDuration = new Histogram({
    name: 'zhuyun_ingest_request_duration_seconds',
    help: 'Time to answer an ingest request (validation, store write, answer), by protocol (json, line) and status class (2xx, 4xx, 5xx).',
    labelNames: ['protocol', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** TimeSeriesStore.write and .query (see timeStore). */
  readonly storeDuration = new Histogram({
    name: 'zhuyun_store_operation_duration_seconds',
    help: 'Time the time-series store takes per call, by operation (write, query) and outcome (ok, error).',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly alertEvaluations = new Counter({
    name: 'zhuyun_alert_evaluations_total',
    help: 'Alert engine evaluations, by trigger (points: a batch of accepted points; tick: the periodic time-driven check).',
    labelNames: ['trigger'] as const,
    registers: [this.registry],
  });

  readonly alertNotifications = new Counter({
    name: 'zhuyun_alert_notifications_total',
    help: 'Notification delivery attempts, by channel kind and outcome (ok; retrying: failed, another attempt follows; failed: given up).',
    labelNames: ['channel_kind', 'outcome'] as const,
    registers: [this.registry],
  });

  // Issue 13 (security): password checks (argon2 verifications) and throttled logins, counted
  // here so that a guessing run shows without writing a row per attempt; sockets ended with their session.
  readonly loginPasswordChecks = new Counter({
    name: 'zhuyun_login_password_checks_total',
    help: 'Password verifications (argon2) run for logins, unknown user names included.',
    registers: [this.registry],
  });

  readonly loginThrottled = new Counter({
    name: 'zhuyun_login_throttled_total',
    help: 'Login attempts refused with 429 before any password check (too many failures per account or address).',
    registers: [this.registry],
  });

  readonly liveSessionEnded = new Counter({
    name: 'zhuyun_live_session_ended_sockets_total',
    help: 'Live sockets disconnected because their session ended (logout, password change, account change, expiry).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'zhuyun_' });
    // prom-client's default set has three gauges named `*_total`, which promtool (rightly) rejects:
    // `_total` is for counters. The same figures stay available per type (without `_total`): sum them.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
      this.registry.removeSingleMetric(`zhuyun_nodejs_${name}`);
    }
  }

  /** Counts refused points by the reason their validation message gives (rejectionReason). */
  pointsRejected(errors: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const e of errors) {
      const reason = rejectionReason(e);
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    for (const [reason, n] of counts) this.ingestRejectedPoints.inc({ reason }, n);
  }

  /** Counts one batch's cardinality refusals by limit (CardinalityGate.refused). */
  cardinalityRefused(refused: Readonly<Record<string, number>>): void {
    for (const [limit, n] of Object.entries(refused)) if (n > 0) this.ingestCardinalityRefused.inc({ limit }, n);
  }

  alertEvaluated(trigger: 'points' | 'tick'): void {
    this.alertEvaluations.inc({ trigger });
  }

  notificationAttempted(channelKind: string, outcome: 'ok' | 'retrying' | 'failed'): void {
    this.alertNotifications.inc({ channel_kind: channelKind, outcome });
  }
}
