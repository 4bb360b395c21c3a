import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import type { IngestResult } from '@zhuyun/protocol';
import { IngestService } from './ingest.service.js';

@Controller('api/v1')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /** DESIGN "Ingest": 202 with accepted and rejected points; 400/401/403/413 with a message. */
  @Post('ingest')
  @HttpCode(202)
  post(
    @Headers('authorization') authorization: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Body() body: unknown,
  ): Promise<IngestResult> {
    return this.ingest.ingest(authorization, body, userAgent);
  }
}
