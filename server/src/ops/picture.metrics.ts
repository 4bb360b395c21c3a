import { Inject, Injectable } from '@nestjs/common';
import { UNITS, type NodeStatus, type CollectorState } from '@zhuyun/protocol';
import { Gauge } from 'prom-client';
import { collectorHealth } from '../auth/collector-health.js';
import { CollectorTokensService } from '../auth/collector-tokens.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { SlaService } from '../sla/sla.service.js';
import { StatusService } from '../status/status.service.js';
import { MetricsService } from './metrics.service.js';

const STATUSES: readonly NodeStatus[] = ['up', 'degraded', 'down', 'unknown'];
const COLLECTOR_STATES: readonly CollectorState[] = ['ok', 'lost', 'never_seen', 'revoked'];

/**
 * The live picture for Prometheus and Grafana, read at each scrape from what the server already
 * holds (StatusService, SlaService's live figures, the collector registry). Labels stay bounded:
 * `unit` is one of the fixed district and zone codes (protocol UNITS), `status` one of four,
 * `service` one of the SLA catalogue's services, `state` one of four collector states. There is no
 * per-node series: a bureau has thousands of nodes, so node up/down is given as counts per unit
 * and status; one node's history is in the time-series store (`/query`, `/api/v1/series`).
 */
@Injectable()
export class PictureMetrics {
  constructor(
    metrics: MetricsService,
    status: StatusService,
    sla: SlaService,
    collectors: CollectorTokensService,
    @Inject(CLOCK) clock: Clock,
  ) {
    const registers = [metrics.registry];
    const knownUnits = new Set(UNITS.map((u) => u.code));

    const unitNodes: Gauge<'unit' | 'status'> = new Gauge({
      name: 'zhuyun_unit_nodes',
      help: 'Extranet nodes per unit (district or zone code) and status (up, degraded, down, unknown), as of this scrape.',
      labelNames: ['unit', 'status'] as const,
      registers,
      collect: () => {
        unitNodes.reset();
        for (const u of status.overview().units) {
          if (!knownUnits.has(u.code)) continue;
          for (const s of STATUSES) unitNodes.set({ unit: u.code, status: s }, u.counts[s]);
        }
      },
    });

    const unitStatus: Gauge<'unit' | 'status'> = new Gauge({
      name: 'zhuyun_unit_status',
      help: 'Status of each unit (district or zone), worst of its nodes, as a state set: 1 for the current status, 0 for the others.',
      labelNames: ['unit', 'status'] as const,
      registers,
      collect: () => {
        unitStatus.reset();
        for (const u of status.overview().units) {
          if (!knownUnits.has(u.code)) continue;
          for (const s of STATUSES) unitStatus.set({ unit: u.code, status: s }, u.status === s ? 1 : 0);
        }
      },
    });

    const nodes: Gauge<'status'> = new Gauge({
      name: 'zhuyun_nodes',
      help: 'Extranet nodes of all units by status (up, degraded, down, unknown), as of this scrape.',
      labelNames: ['status'] as const,
      registers,
      collect: () => {
        const counts = status.overview().counts;
        for (const s of STATUSES) nodes.set({ status: s }, counts[s]);
      },
    });

    const availability: Gauge<'service'> = new Gauge({
      name: 'zhuyun_sla_availability_ratio',
      help: 'SLA availability this month (Asia/Shanghai) per service, 24x7, over the minutes measured (0 to 1); absent while a service has no measured minute.',
      labelNames: ['service'] as const,
      registers,
      collect: () => {
        availability.reset();
        for (const s of sla.liveData().services) {
          if (s.availabilityPct !== null) availability.set({ service: s.id }, s.availabilityPct / 100);
        }
      },
    });

    const collectorCount: Gauge<'state'> = new Gauge({
      name: 'zhuyun_collectors',
      help: 'Registered collectors by state (ok, lost: silent over 60 s, never_seen, revoked).',
      labelNames: ['state'] as const,
      registers,
      collect: async () => {
        const now = clock.now();
        const counts = new Map<CollectorState, number>(COLLECTOR_STATES.map((s) => [s, 0]));
        for (const c of await collectors.list()) {
          const { state } = collectorHealth(c, now);
          counts.set(state, (counts.get(state) ?? 0) + 1);
        }
        for (const [state, n] of counts) collectorCount.set({ state }, n);
      },
    });
  }
}
