import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { Roles } from '../common/roles.js';
import { CurrentUser, type Principal } from '../security/principal.js';
import { TopologyService } from './topology.service.js';

/** `GET /api/v1/topology` (the graph with status), and the admin API for configured links. */
@Controller('api/v1/topology')
export class TopologyController {
  constructor(private readonly topology: TopologyService) {}

  @Get()
  @Roles('ops', 'leader', 'district')
  graph(@CurrentUser() p: Principal) {
    const g = this.topology.graph();
    return p.role === 'district' ? { nodes: g.nodes.filter((n) => n.unit === p.district) } : g;
  }

  @Get('configured')
  @Roles('ops')
  async configured() {
    return { nodes: await this.topology.configured() };
  }

  @Put()
  @Roles('admin')
  replace(@Body() body: unknown) {
    return this.topology.replace(body);
  }

  @Put('nodes/:node')
  @Roles('admin')
  put(@Param('node') node: string, @Body() body: unknown) {
    return this.topology.put(node, body);
  }

  @Delete('nodes/:node')
  @HttpCode(204)
  @Roles('admin')
  async remove(@Param('node') node: string): Promise<void> {
    await this.topology.remove(node);
  }
}
