import { Inject, Injectable, Optional } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Namespace } from 'socket.io';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { HealthRegistry } from '../ops/health.registry.js';

/** What a draining instance tells a collector: try again (elsewhere, through the proxy) soon. */
export const DRAIN_RETRY_AFTER_S = 2;

/** The bits of the Nest application a shutdown needs. */
export interface ClosableApp {
  getHttpServer(): Server;
  close(): Promise<void>;
}

/**
 * Graceful shutdown (docs/SCALE.md "Shutdown"). On SIGTERM: refuse new ingest with 503 and
 * Retry-After (collectors keep their batch and retry, through the proxy on another instance), stop
 * accepting connections, wait for the requests in flight (at most ZHUYUN_SHUTDOWN_GRACE), disconnect
 * this instance's live sockets (browsers reconnect elsewhere), then close the application: the
 * engines flush (SLA facts, alert writes, notifications), the lease is released, collectors'
 * last-seen, the time-series store and the database are flushed and closed.
 */
@Injectable()
export class ShutdownService {
  private drainingSince?: number;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly namespaces: Namespace[] = [];
  private running?: Promise<void>;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() health?: HealthRegistry,
  ) {
    // /readyz says "not ready" while draining, so a load balancer stops sending new work here.
    health?.register('shutdown', async () => {
      if (this.draining) throw new Error('draining: this instance is shutting down');
    });
  }

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** A socket.io namespace (the gateway's), so shutdown can disconnect this instance's sockets. */
  attachIo(namespace: Namespace): void {
    this.namespaces.push(namespace);
  }

  /** Counts requests in flight; must come before any route. */
  readonly trackRequests = (_req: Request, res: Response, next: NextFunction) => {
    this.inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
    res.on('finish', finish);
    res.on('close', finish);
    if (this.draining) res.setHeader('Connection', 'close');
    next();
  };

  /** Mounted on the ingest paths: while draining, 503 with Retry-After; nothing is taken. */
  readonly refuseWhileDraining = (_req: Request, res: Response, next: NextFunction) => {
    if (!this.draining) return next();
    res.setHeader('Retry-After', String(DRAIN_RETRY_AFTER_S));
    res.setHeader('Connection', 'close');
    res.status(503).json({ error: { code: 'draining', message: `this instance is shutting down; retry in ${DRAIN_RETRY_AFTER_S} s (another instance takes the batch)` } });
  };

  /**
   * Runs the whole shutdown once; later calls get the same promise. `first` runs while ingest is
   * still open (main.ts stops the simulated fleet there, so its last batches are taken).
   */
  run(app: ClosableApp, signal = 'SIGTERM', first?: () => Promise<void>): Promise<void> {
    this.running ??= this.shutdown(app, signal, first);
    return this.running;
  }

  private async shutdown(app: ClosableApp, signal: string, first?: () => Promise<void>): Promise<void> {
    const started = performance.now();
    if (first) await first().catch((err: unknown) => this.log.error({ err }, 'shutdown: first step failed'));
    this.drainingSince = Date.now();
    this.log.info({ signal, inFlight: this.inFlight }, 'shutting down: draining');
    const http = app.getHttpServer();
    // No new connections; idle keep-alive connections go now, busy ones after their answer.
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections?.();
    await this.whenIdle(this.config.shutdownGraceMs);
    // Browsers reconnect, through the proxy, to an instance that stays. Only this instance's
    // sockets: with the Redis adapter a plain disconnectSockets() would end every instance's.
    for (const ns of this.namespaces) ns.local.disconnectSockets(true);
    http.closeAllConnections?.();
    await Promise.race([closed, sleep(1_000)]);
    this.log.info({ ms: Math.round(performance.now() - started) }, 'shutting down: requests done, flushing');
    await app.close();
    this.log.info({ ms: Math.round(performance.now() - started) }, 'shut down');
  }

  private whenIdle(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      sleep(maxMs).then(() => this.log.warn({ inFlight: this.inFlight }, 'shutdown grace over with requests in flight')),
    ]);
  }
}

function sleep(ms: number) {
  return new Promise<void>((r) => setTimeout(r, ms).unref());
}
