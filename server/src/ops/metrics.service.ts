import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's own metrics, for `GET /metrics` (Prometheus text). One registry per application,
 * not prom-client's global one, so several apps in one test process do not collide.
 */
@Injectable()
export class MetricsService {
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

  readonly liveSockets = new Gauge({
    name: 'zhuyun_live_sockets',
    help: 'Sockets connected to the /live namespace.',
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'zhuyun_' });
  }
}
