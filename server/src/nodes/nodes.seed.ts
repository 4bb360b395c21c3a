import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { claimOnce } from '../db/claims.js';
import { DATABASE, type Db } from '../db/database.js';
import { fleetOf } from '../simulation/city-fleet.js';
import type { NodeFields } from './nodes.csv.js';
import { NodesService } from './nodes.service.js';

/** Cloud hosts the simulated platforms' collector reports (collectors' simulate/city.model.ts CLOUD_HOSTS). */
const CLOUD_HOSTS = 6;

/**
 * The simulated city's nodes as registry rows: names, levels, parents, units, division codes; and
 * the platforms' nodes (city level, no unit: they serve every unit).
 */
export function cityRegistry(fleet: 'city' | 'city-10k' = 'city'): NodeFields[] {
  const row = (n: Pick<NodeFields, 'id' | 'name' | 'level'> & Partial<NodeFields>): NodeFields => ({
    parent: null, unit: null, adminCode: null, department: null, address: null, operator: null, contract: null, state: 'active', ...n,
  });
  return [
    ...fleetOf(fleet).nodes.map((n) => row({ id: n.id, name: n.name, level: n.level, parent: n.parent ?? null, unit: n.unit, adminCode: n.code ?? null, department: n.level === 'department' ? n.name : null })),
    row({ id: 'cloud-subplatform', name: '贵阳市政务云子平台', level: 'city' }),
    ...Array.from({ length: CLOUD_HOSTS }, (_, i) => row({ id: `cloud-host-${String(i + 1).padStart(2, '0')}`, name: `政务云宿主机${String(i + 1).padStart(2, '0')}`, level: 'city', parent: 'cloud-subplatform' })),
    row({ id: 'share-platform', name: '贵阳市政务数据共享交换平台', level: 'city' }),
    row({ id: 'open-platform', name: '贵阳市政府数据开放平台', level: 'city' }),
  ];
}

/** With ZHUYUN_SIMULATE=1 and the city fleet, fills an empty registry once (one instance of several). */
@Injectable()
export class NodesSeed implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(DATABASE) private readonly db: Db,
    private readonly nodes: NodesService,
  ) {}

  async onApplicationBootstrap() {
    const fleet = this.config.simulateFleet;
    if (!this.config.simulate || fleet === 'small' || !(await this.nodes.isEmpty())) return;
    if (!(await claimOnce(this.db, 'seed:node-registry', this.config.cluster?.instance ?? 'single', this.clock.now()))) return;
    const n = await this.nodes.seed(cityRegistry(fleet), 'simulation');
    this.log.info({ nodes: n }, 'node registry seeded for the simulated city');
  }
}
