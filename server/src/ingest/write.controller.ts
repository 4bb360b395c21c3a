import { Body, Controller, Get, Head, Header, Headers, HttpCode, Post, Query, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import { INFLUX_VERSION, INFLUX_VERSION_HEADER, readInfluxCredentials, type InfluxQueryResponse } from './influx-compat.js';
import { InfluxErrorFilter } from './influx-error.filter.js';
import { Public } from '../security/principal.js';
import { LineProtocolService } from './line-protocol.service.js';

function param(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : undefined;
}

/**
 * DESIGN "Line protocol": the InfluxDB 1.x HTTP API as Telegraf's `outputs.influxdb`, the influx
 * CLI and client libraries use it. `/write` takes any content type, gzip allowed (its body parser
 * is in app.factory.ts); answers and errors are InfluxDB's (InfluxErrorFilter).
 */
@Controller()
@Public()
@UseFilters(InfluxErrorFilter)
export class WriteController {
  constructor(private readonly lines: LineProtocolService) {}

  /** 204 with no body when every point was stored; 400 partial write / unable to parse; 401; 404. */
  @Post('write')
  @HttpCode(204)
  @Header(INFLUX_VERSION_HEADER, INFLUX_VERSION)
  async write(
    @Query() query: Record<string, unknown>,
    @Headers('authorization') authorization: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    await this.lines.write(
      readInfluxCredentials(query, authorization),
      { db: param(query.db), precision: param(query.precision) },
      typeof body === 'string' ? body : '',
      userAgent,
    );
  }

  /** Clients check the server with `/ping` (no credentials, as in InfluxDB). */
  @Head('ping')
  pingHead(@Res() res: Response): void {
    res.setHeader(INFLUX_VERSION_HEADER, INFLUX_VERSION).status(204).end();
  }

  /** `?verbose=true` answers 200 with the version, as InfluxDB 1.x does. */
  @Get('ping')
  ping(@Query('verbose') verbose: unknown, @Res() res: Response): void {
    res.setHeader(INFLUX_VERSION_HEADER, INFLUX_VERSION);
    if (param(verbose) === 'true') res.status(200).json({ version: INFLUX_VERSION });
    else res.status(204).end();
  }

  @Get('query')
  @Header(INFLUX_VERSION_HEADER, INFLUX_VERSION)
  query(@Query() query: Record<string, unknown>, @Headers('authorization') authorization: string | undefined): Promise<InfluxQueryResponse> {
    return this.lines.query(readInfluxCredentials(query, authorization), param(query.q));
  }

  /**
   * Telegraf sends `CREATE DATABASE "zhuyun"` here at start, `q` in a form body; node-influx puts
   * it in the URL. As in InfluxDB, the form's `q` wins.
   */
  @Post('query')
  @HttpCode(200)
  @Header(INFLUX_VERSION_HEADER, INFLUX_VERSION)
  queryPost(
    @Query() query: Record<string, unknown>,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<InfluxQueryResponse> {
    const form = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    return this.lines.query(readInfluxCredentials(query, authorization), param(form.q) || param(query.q));
  }
}
