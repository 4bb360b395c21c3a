import { Body, Controller, Param, Put } from '@nestjs/common';
import { isUnitCode } from '@zhuyun/protocol';
import { z } from 'zod';
import { Roles } from '../common/roles.js';
import { parseInput } from '../common/validate.js';
import { SelfAudited } from '../security/audit.interceptor.js';
import { AuditService } from '../security/audit.service.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { NodeUnitsStore } from './node-units.store.js';

export const NodeUnitMoveSchema = z.strictObject({
  unit: z.string().refine(isUnitCode, 'must be a district code (520103) or a zone id (gy-hitech)'),
});

/**
 * A point never moves a node to another unit; an admin does, here (audited). The node's next
 * points must then name the new unit, from a collector registered for it.
 */
@Controller('api/v1/nodes')
export class NodeUnitsController {
  constructor(
    private readonly nodeUnits: NodeUnitsStore,
    private readonly audit: AuditService,
  ) {}

  @Put(':node/unit')
  @SelfAudited()
  @Roles()
  async move(@Param('node') node: string, @Body() body: unknown, @CurrentUser() p: Principal): Promise<{ node: string; unit: string; before: string | null }> {
    const { unit } = parseInput(NodeUnitMoveSchema, body, 'node unit');
    const before = (await this.nodeUnits.move(node, unit)) ?? null;
    await this.audit.record({ actor: `user:${p.username}`, action: 'node.unit.move', target: node, before: { unit: before }, after: { unit } });
    return { node, unit, before };
  }
}
