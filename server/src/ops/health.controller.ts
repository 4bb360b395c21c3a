import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DATABASE, pingDatabase, type Db } from '../db/database.js';
import { Public } from '../security/principal.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { MetricsService } from './metrics.service.js';

/** Liveness, readiness and the server's own metrics. */
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    @Inject(DATABASE) private readonly db: Db,
    private readonly metrics: MetricsService,
  ) {}

  /** The process answers. Nothing else is checked: a slow database must not get it restarted. */
  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok' };
  }

  /**
   * Ready when the time-series store can take points durably and the relational database answers;
   * 503 with which does not. With InfluxDB away the server still accepts points into its outbox,
   * so it stays ready (200), with `degraded: true`, the backlog and InfluxDB's state in the check:
   * taking the instance out of a load balancer would not help, and its backlog is what to watch.
   */
  @Get('readyz')
  async readyz(@Res() res: Response) {
    const checks: Record<string, { ok: boolean; error?: string; backlog?: number }> = {};
    const probe = async (name: string, fn: () => Promise<void>) => {
      try {
        await fn();
        checks[name] = { ok: true };
      } catch (err) {
        checks[name] = { ok: false, error: (err as Error).message };
      }
    };
    const tsdb = await this.store.health();
    checks[`tsdb:${this.store.name}`] = {
      ok: tsdb.ok,
      ...(tsdb.error !== undefined && { error: tsdb.error }),
      ...(tsdb.backlog !== undefined && { backlog: tsdb.backlog }),
    };
    await probe('database', () => pingDatabase(this.db));
    const ready = Object.values(checks).every((c) => c.ok);
    const degraded = ready && (tsdb.error !== undefined || (tsdb.backlog ?? 0) > 0);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', degraded, checks });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    const tsdb = await this.store.health();
    this.metrics.tsdbOutboxPoints.set(tsdb.backlog ?? 0);
    this.metrics.tsdbUp.set(tsdb.ok && tsdb.error === undefined ? 1 : 0);
    return this.metrics.registry.metrics();
  }
}
