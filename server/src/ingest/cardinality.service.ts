import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type AppConfig } from '../config/config.js';
import { StatusService } from '../status/status.service.js';
import { CardinalityGuard } from './cardinality.guard.js';

/**
 * The server's one CardinalityGuard, with the configured limits, counting from the live state.
 * Ingest admits points through it; the alert engine reads who was refused (the built-in
 * "cardinality limit hit" rule).
 */
@Injectable()
export class CardinalityService extends CardinalityGuard {
  constructor(@Inject(CONFIG) config: AppConfig, status: StatusService) {
    super({ ...config.cardinality, forgetAfterMs: config.nodeForgetAfterMs }, status.census);
  }
}
