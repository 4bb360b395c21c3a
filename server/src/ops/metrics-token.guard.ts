import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../common/errors.js';
import { CONFIG, type AppConfig } from '../config/config.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics with ZHUYUN_METRICS_TOKEN set: only `Authorization: Bearer <token>` (Prometheus'
 * `authorization: {credentials: ...}`). Unset, the route stays open as Prometheus expects on an
 * internal network (docs/SECURITY.md "/metrics").
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(CONFIG) config: AppConfig) {
    this.expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.expected) return true;
    const auth = ctx.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = /^Bearer (.+)$/i.exec(auth)?.[1];
    // Compared as digests: equal lengths for timingSafeEqual, and no timing on the token's length.
    if (given !== undefined && timingSafeEqual(digest(given), this.expected)) return true;
    throw new UnauthorizedError('GET /metrics needs Authorization: Bearer <ZHUYUN_METRICS_TOKEN>');
  }
}
