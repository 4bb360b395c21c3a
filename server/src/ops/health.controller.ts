import { Controller, Get, Header, HttpCode, Inject, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { CONFIG, type AppConfig } from '../config/config.js';
import { DATABASE, pingDatabase, type Db } from '../db/database.js';
import { Public } from '../security/principal.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { HealthRegistry, runCheck } from './health.registry.js';
import { MetricsService } from './metrics.service.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/** Liveness, readiness and the server's own metrics. */
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    @Inject(DATABASE) private readonly db: Db,
    private readonly metrics: MetricsService,
    private readonly registry: HealthRegistry,
    @Inject(CONFIG) private readonly config: AppConfig,
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
   * Checks other modules register (HealthRegistry, e.g. `redis`) join with their names; each check
   * has CHECK_TIMEOUT_MS to answer.
   */
  @Get('readyz')
  async readyz(@Res() res: Response) {
    const checks: Record<string, { ok: boolean; error?: string; backlog?: number }> = {};
    const [tsdb, database, ...registered] = await Promise.all([
      this.store.health(),
      runCheck(() => pingDatabase(this.db)),
      ...this.registry.entries().map(async ([name, check]) => [name, await runCheck(check)] as const),
    ]);
    checks[`tsdb:${this.store.name}`] = {
      ok: tsdb.ok,
      ...(tsdb.error !== undefined && { error: tsdb.error }),
      ...(tsdb.backlog !== undefined && { backlog: tsdb.backlog }),
    };
    checks.database = database;
    for (const [name, result] of registered) checks[name] = result;
    if (this.config.redisUrl !== undefined && !this.registry.has('redis')) {
      checks.redis = { ok: false, error: 'REDIS_URL is set but no Redis health check is registered' };
    }
    const ready = Object.values(checks).every((c) => c.ok);
    const degraded = ready && (tsdb.error !== undefined || (tsdb.backlog ?? 0) > 0);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', degraded, checks });
  }

  @Get('metrics')
  @UseGuards(MetricsTokenGuard)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    const tsdb = await this.store.health();
    this.metrics.tsdbOutboxPoints.set(tsdb.backlog ?? 0);
    this.metrics.tsdbUp.set(tsdb.ok && tsdb.error === undefined ? 1 : 0);
    return this.metrics.registry.metrics();
  }
}
