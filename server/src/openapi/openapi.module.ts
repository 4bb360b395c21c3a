import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller.js';

/** GET /api/openapi.json and the explorer at /api/docs (docs/OPERATIONS.md). */
@Module({ controllers: [OpenApiController] })
export class OpenApiModule {}
