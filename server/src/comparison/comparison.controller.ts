import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../common/roles.js';
import { comparisonCsv } from './comparison.js';
import { ComparisonService } from './comparison.service.js';

/** `GET /api/v1/comparison?month=YYYY-MM&zones=include|exclude|only&format=json|csv`. */
@Controller('api/v1/comparison')
export class ComparisonController {
  constructor(private readonly comparison: ComparisonService) {}

  @Get()
  @Roles('leader', 'ops')
  async get(@Query() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = this.comparison.parseQuery(query);
    const result = await this.comparison.compare(q.month, q.zones);
    if (q.format === 'json') return result;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="zhuyun-comparison-${result.month}.csv"`);
    return comparisonCsv(result.rows, result.platform);
  }
}
