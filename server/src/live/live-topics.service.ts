import { Injectable } from '@nestjs/common';
import { parseTopic, type Topic } from '@zhuyun/protocol';
import { LiveBus } from '../common/live-bus.js';
import type { Principal } from '../security/principal.js';
import { StatusService } from '../status/status.service.js';

/** Topics of DESIGN's list whose data domain modules serve through the LiveBus. */
const DOMAIN: ReadonlySet<Topic['kind']> = new Set(['alerts', 'migration', 'sla']);

/** What each live topic's data is. The gateway only moves it; the status service owns it. */
@Injectable()
export class LiveTopicsService {
  constructor(
    private readonly status: StatusService,
    private readonly bus: LiveBus,
  ) {}

  /** An error message when the topic cannot be subscribed, else undefined. */
  check(topic: unknown): string | undefined {
    const t = parseTopic(topic);
    if (!t) return `unknown topic ${JSON.stringify(topic)}: use overview, district:<code>, node:<id>`;
    if (DOMAIN.has(t.kind) && !this.bus.serves(topic as string)) return `topic ${t.kind} is not served by this build yet`;
    return undefined;
  }

  /**
   * Why this principal may not watch the topic, or undefined (DESIGN "Roles"): ops and admin see
   * everything; a leader reads every live view; a district user only its district and that
   * district's nodes. An operator watches no topic: the `sla` topic carries every service, and an
   * operator may see only its contracts' (its SLA views read the scoped REST API).
   */
  forbidden(p: Principal | undefined, topic: string): string | undefined {
    if (!p) return 'sign in first';
    if (p.role === 'admin' || p.role === 'ops' || p.role === 'leader') return undefined;
    const t = parseTopic(topic)!;
    if (p.role === 'operator') return `role operator may watch no live topic (its SLA is served by /api/v1/sla), not ${topic}`;
    // district
    if (t.kind === 'district' && t.code === p.district) return undefined;
    if (t.kind === 'node') {
      const n = this.status.node(t.id);
      if (n && n.unit === p.district) return undefined;
      return `node ${t.id} is not in district ${p.district}`;
    }
    return `a district user of ${p.district} may watch district:${p.district} and its nodes only, not ${topic}`;
  }

  /** The data of a topic that passed `check`. */
  compute(topic: string): unknown {
    const t = parseTopic(topic);
    switch (t?.kind) {
      case 'overview':
        return this.status.overview();
      case 'district':
        return this.status.district(t.code);
      case 'node':
        return this.status.node(t.id);
      case 'alerts':
      case 'migration':
      case 'sla':
        return this.bus.compute(topic) ?? null;
      default:
        return null;
    }
  }
}
