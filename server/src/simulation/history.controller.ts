import { Controller, Get } from '@nestjs/common';
import type { HistoryFillStatus } from '@zhuyun/protocol';
import { Roles } from '../common/roles.js';
import { HistoryService } from './history.service.js';

/** `GET /api/v1/simulation/history`: the demo's history fill (state, percent), for the dashboard's banner. */
@Controller('api/v1/simulation')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('history')
  @Roles('admin', 'ops', 'operator', 'leader', 'district')
  status(): HistoryFillStatus {
    return this.history.status();
  }
}
