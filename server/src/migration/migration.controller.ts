import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PayloadTooLargeError, ValidationError } from '../common/errors.js';
import { Roles } from '../common/roles.js';
import { CurrentUser, type Principal, type RequestWithPrincipal } from '../security/principal.js';
import { ScopeService, type SelectorKind } from '../security/scope.js';
import { summarise, type UnitMigrationSummary } from './migration.flags.js';
import { IMPORT_MODES, type ImportMode } from './migration.import.js';
import { MigrationService, type Actor } from './migration.service.js';

/** Largest CSV accepted by the import (some tens of thousands of rows). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** The signed-in user (the role guard attached it). */
function actorOf(req: Request, source: Actor['source'] = 'api'): Actor {
  const p = (req as RequestWithPrincipal).principal;
  return { actor: p ? `user:${p.username}` : 'anonymous', source };
}

/** The selectors of `GET /api/v1/migration/systems` (a system's `district` is its unit). */
export const SYSTEM_SELECTORS: Readonly<Record<string, SelectorKind>> = { district: 'unit' };

/**
 * Reads the raw request body as UTF-8 text, at most `limit` bytes. Over the limit, the rest is read
 * and dropped (so the client sees the answer rather than a reset) and a 413 is thrown.
 */
export async function readText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) over = true;
    if (!over) chunks.push(chunk);
    if (size > limit * 4) break; // a client that will not stop: stop reading
  }
  if (over) throw new PayloadTooLargeError(`CSV larger than ${limit} bytes (${MAX_IMPORT_BYTES / 1024 / 1024} MiB): split the file and import the parts`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ValidationError('the CSV is not UTF-8: in Excel save it as "CSV UTF-8 (逗号分隔)" (a GBK file is not read)');
  }
}

/** The summary of a unit with nothing in it (a district user whose unit the summary does not list). */
function emptyTotal(unit: string): UnitMigrationSummary {
  return summarise(unit, [], '1970-01-01');
}

@Controller('api/v1/migration')
export class MigrationController {
  constructor(
    private readonly migration: MigrationService,
    private readonly scope: ScopeService,
  ) {}

  // --- agencies ---

  @Get('agencies')
  @Roles('ops', 'leader')
  agencies() {
    return this.migration.listAgencies();
  }

  @Post('agencies')
  @Roles('admin')
  createAgency(@Body() body: unknown, @Req() req: Request) {
    return this.migration.createAgency(body, actorOf(req));
  }

  @Get('agencies/:id')
  @Roles('ops', 'leader')
  agency(@Param('id') id: string) {
    return this.migration.getAgency(id);
  }

  @Patch('agencies/:id')
  @Roles('admin')
  updateAgency(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.migration.updateAgency(id, body, actorOf(req));
  }

  @Delete('agencies/:id')
  @HttpCode(204)
  @Roles('admin')
  async deleteAgency(@Param('id') id: string, @Req() req: Request) {
    await this.migration.deleteAgency(id, actorOf(req));
  }

  @Get('agencies/:id/history')
  @Roles('ops', 'leader')
  agencyHistory(@Param('id') id: string) {
    return this.migration.agencyHistory(id);
  }

  // --- systems ---

  @Get('systems')
  @Roles('ops', 'leader', 'district')
  systems(@Query() q: Record<string, unknown>, @CurrentUser() p: Principal) {
    // A district user reads its own unit's systems only (`agency`, `state`, `flag` narrow within it).
    return this.migration.listSystems(this.scope.confine(p, q, SYSTEM_SELECTORS, 'district'));
  }

  @Post('systems')
  @Roles('admin')
  createSystem(@Body() body: unknown, @Req() req: Request) {
    return this.migration.createSystem(body, actorOf(req));
  }

  /** CSV of the whole inventory, UTF-8 with BOM (opens in Excel). `?lang=zh` writes Chinese labels. */
  @Get('systems/export')
  @Roles('ops', 'leader')
  async exportCsv(@Query('lang') lang: string | undefined, @Res() res: Response) {
    if (lang !== undefined && lang !== 'zh' && lang !== 'code') throw new ValidationError('lang must be zh or code');
    const csv = await this.migration.exportCsv(lang === 'zh' ? 'zh' : 'code');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="migration-inventory.csv"; filename*=UTF-8''${encodeURIComponent('迁移清单.csv')}`);
    res.send(csv);
  }

  /** CSV body (text/csv, UTF-8, BOM optional), `?mode=all-or-nothing` (default) or `row-by-row`. */
  @Post('systems/import')
  @HttpCode(200)
  @Roles('admin')
  async importCsv(@Query('mode') mode: string | undefined, @Req() req: Request) {
    const m = (mode ?? 'all-or-nothing') as ImportMode;
    if (!IMPORT_MODES.includes(m)) throw new ValidationError(`mode must be ${IMPORT_MODES.join(' or ')}, not ${JSON.stringify(mode)}`);
    // Only a type a page of another origin cannot send without a CORS preflight (issue 13): not
    // text/plain, which a `no-cors` fetch or a form may send with the session cookie.
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!['text/csv', 'application/csv'].includes(type)) {
      throw new ValidationError(`send the CSV as the body with Content-Type text/csv, not ${type || 'no Content-Type'}`);
    }
    const text = await readText(req, MAX_IMPORT_BYTES);
    return this.migration.importCsv(text, m, actorOf(req, 'import'));
  }

  @Get('systems/:id')
  @Roles('ops', 'leader', 'district')
  async system(@Param('id') id: string, @CurrentUser() p: Principal) {
    const sys = await this.migration.getSystem(id);
    this.scope.checkUnit(p, sys.district, `system ${id}`);
    return sys;
  }

  @Patch('systems/:id')
  @Roles('admin')
  patchSystem(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    return this.migration.patchSystem(id, body, actorOf(req));
  }

  @Get('systems/:id/history')
  @Roles('ops', 'leader', 'district')
  async history(@Param('id') id: string, @CurrentUser() p: Principal) {
    if (p.role === 'district') this.scope.checkUnit(p, (await this.migration.getSystem(id)).district, `system ${id}`);
    return this.migration.history(id);
  }

  // --- figures ---

  @Get('summary')
  @Roles('ops', 'leader', 'district')
  async summary(@CurrentUser() p: Principal) {
    const all = await this.migration.summary();
    if (p.role !== 'district') return all;
    // A district user's total is its own unit's, not the city's.
    const units = all.units.filter((u) => u.unit === p.district);
    const own = units[0];
    if (!own) return { ...all, units, total: emptyTotal(p.district ?? '') };
    const { kind: _k, zh: _z, expectedOnCloud: _e, cloud: _c, ...total } = own;
    return { ...all, units, total };
  }

  /** One unit's month for the district comparison (the same method the comparison module calls). */
  @Get('monthly')
  @Roles('ops', 'leader', 'district')
  monthly(@Query('unit') unit: string | undefined, @Query('month') month: string | undefined, @CurrentUser() p: Principal) {
    ({ unit } = this.scope.confine(p, { unit }, { unit: 'unit' }, 'unit'));
    if (!unit || !month) throw new ValidationError('unit and month (YYYY-MM) are required');
    return this.migration.monthlyFigures(unit, month);
  }

  /** The cloud's running count per unit (cloud_inventory probe), the evidence beside the states. */
  @Get('cloud-evidence')
  @Roles('ops', 'leader')
  cloudEvidence() {
    return { units: this.migration.cloudEvidence() };
  }
}
