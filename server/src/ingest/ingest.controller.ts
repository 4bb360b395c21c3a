import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { SENT_AT_HEADER, type IngestResult } from '@zhuyun/protocol';
import { Public } from '../security/principal.js';
import { IngestService } from './ingest.service.js';

/** Public to the role guard: a collector token (checked by IngestService) is its credential. */
@Controller('api/v1')
@Public()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /** DESIGN "Ingest": 202 with accepted and rejected points; 400/401/403/413 with a message. */
  @Post('ingest')
  @HttpCode(202)
  post(
    @Headers('authorization') authorization: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Headers(SENT_AT_HEADER) sentAt: string | undefined,
    @Body() body: unknown,
  ): Promise<IngestResult> {
    return this.ingest.ingest(authorization, body, userAgent, sentAt);
  }
}
