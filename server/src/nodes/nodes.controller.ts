import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { NodeImportReport, NodePathResponse, NodeRecord, NodesResponse } from '@zhuyun/protocol';
import type { Request, Response } from 'express';
import { ValidationError } from '../common/errors.js';
import { Roles } from '../common/roles.js';
import { MAX_IMPORT_BYTES, readText } from '../migration/migration.controller.js';
import { IMPORT_MODES, type ImportMode } from '../migration/migration.import.js';
import { SelfAudited } from '../security/audit.interceptor.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { ScopeService } from '../security/scope.js';
import { NodesService } from './nodes.service.js';

/**
 * The node registry (docs/NODES.md). Reads are scoped like the rest (a district user sees its own
 * unit's nodes); admins import, export and retire; ops accept or refuse unregistered nodes.
 */
@Controller('api/v1/nodes')
export class NodesController {
  constructor(
    private readonly nodes: NodesService,
    private readonly scope: ScopeService,
  ) {}

  @Get()
  @Roles('ops', 'leader', 'district')
  list(@Query() q: Record<string, unknown>, @CurrentUser() p: Principal): Promise<NodesResponse> {
    return this.nodes.list(this.scope.confine(p, q, { unit: 'unit' }, 'unit'));
  }

  /** CSV of the registry, UTF-8 with BOM; re-imports as it is. */
  @Get('export')
  @Roles('ops', 'leader')
  async exportCsv(@Res() res: Response) {
    const csv = await this.nodes.exportCsv();
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="nodes.csv"; filename*=UTF-8''${encodeURIComponent('节点登记.csv')}`);
    res.send(csv);
  }

  /** CSV body (text/csv), `?mode=all-or-nothing` (default) or `row-by-row`: the migration import's rules. */
  @Post('import')
  @HttpCode(200)
  @SelfAudited()
  @Roles()
  async importCsv(@Query('mode') mode: string | undefined, @Req() req: Request, @CurrentUser() p: Principal): Promise<NodeImportReport> {
    const m = (mode ?? 'all-or-nothing') as ImportMode;
    if (!IMPORT_MODES.includes(m)) throw new ValidationError(`mode must be ${IMPORT_MODES.join(' or ')}, not ${JSON.stringify(mode)}`);
    // Only a type another origin cannot send without a CORS preflight (as the migration import).
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!['text/csv', 'application/csv'].includes(type)) throw new ValidationError(`send the CSV as the body with Content-Type text/csv, not ${type || 'no Content-Type'}`);
    return this.nodes.importCsv(await readText(req, MAX_IMPORT_BYTES), m, `user:${p.username}`);
  }

  @Get(':id')
  @Roles('ops', 'leader', 'district')
  async node(@Param('id') id: string, @CurrentUser() p: Principal): Promise<NodeRecord> {
    const n = await this.nodes.get(id);
    this.scope.checkUnit(p, n.unit, `node ${id}`);
    return n;
  }

  /**
   * The node's path to the city core, each hop with its status (the node page). Scoped by the node:
   * a district user asks for its own unit's nodes; the hops above them (its unit core, the city
   * core) are its uplinks and are shown with their name and status.
   */
  @Get(':id/path')
  @Roles('ops', 'leader', 'district')
  async path(@Param('id') id: string, @CurrentUser() p: Principal): Promise<NodePathResponse> {
    const n = await this.nodes.get(id);
    this.scope.checkUnit(p, n.unit, `node ${id}`);
    return this.nodes.path(id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @SelfAudited()
  @Roles('ops')
  accept(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal): Promise<NodeRecord> {
    return this.nodes.accept(id, body, `user:${p.username}`);
  }

  @Post(':id/refuse')
  @HttpCode(200)
  @SelfAudited()
  @Roles('ops')
  refuse(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal): Promise<NodeRecord> {
    return this.nodes.refuse(id, body, `user:${p.username}`);
  }

  @Post(':id/retire')
  @HttpCode(200)
  @SelfAudited()
  @Roles()
  retire(@Param('id') id: string, @Body() body: unknown, @CurrentUser() p: Principal): Promise<NodeRecord> {
    return this.nodes.retire(id, body, `user:${p.username}`);
  }
}
