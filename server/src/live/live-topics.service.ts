import { Injectable } from '@nestjs/common';
import { parseTopic, type Topic } from '@zhuyun/protocol';
import { LiveBus } from '../common/live-bus.js';
import type { Principal } from '../security/principal.js';
import { ScopeService, reachKey, reachOfKey } from '../security/scope.js';
import { StatusService } from '../status/status.service.js';

/**
 * A scoped audience's room of a topic (issue 15): `alerts@<reachKey>` holds the sockets of district
 * users of one unit (or of operators with the same contracts' reach) and carries only that part of
 * `alerts`; its frames go out under the topic's own name. Not a topic anyone can subscribe to.
 */
const SCOPED = '@';
/** Topics whose data a scoped audience gets in part (the others it may watch whole or not at all). */
const PARTIAL: ReadonlySet<string> = new Set(['alerts']);

/** The topic a room carries: `alerts` for `alerts@d:520103|`, the room itself otherwise. */
export function publicTopic(room: string): string {
  const i = room.indexOf(SCOPED);
  return i < 0 ? room : room.slice(0, i);
}

/** Topics of DESIGN's list whose data domain modules serve through the LiveBus. */
const DOMAIN: ReadonlySet<Topic['kind']> = new Set(['alerts', 'migration', 'sla']);

/** What each live topic's data is. The gateway only moves it; the status service owns it. */
@Injectable()
export class LiveTopicsService {
  constructor(
    private readonly status: StatusService,
    private readonly bus: LiveBus,
    private readonly scope: ScopeService,
  ) {}

  /**
   * The room a principal's subscription to `topic` joins, or why it may not (DESIGN "Roles", issue
   * 15): ops, admin and leader watch every topic whole; a district user its district, its nodes and
   * its unit's part of `alerts`; an operator the districts and zones its contracts' extranet covers,
   * their nodes (and its platforms' nodes) and its part of `alerts` — not the city's `overview`, not
   * `sla` (every service: its SLA views read the scoped REST API), not `migration`.
   */
  async admit(p: Principal | undefined, topic: string): Promise<{ room: string } | { error: string }> {
    if (!p) return { error: 'sign in first' };
    if (p.role === 'admin' || p.role === 'ops' || p.role === 'leader') return { room: topic };
    if (p.role === 'district') {
      const error = this.forbidden(p, topic);
      if (!error) return { room: topic };
      if (PARTIAL.has(topic)) return { room: `${topic}${SCOPED}${reachKey((await this.scope.reach(p))!)}` };
      return { error };
    }
    const t = parseTopic(topic)!;
    const reach = (await this.scope.reach(p))!;
    const who = p.operator ?? p.username;
    if (PARTIAL.has(topic)) return { room: `${topic}${SCOPED}${reachKey(reach)}` };
    const refused = { error: `operator ${who} may watch the districts its contracts cover, their nodes and its alerts, not ${topic}` };
    if (t.kind === 'district') return reach.units.has(t.code) ? { room: topic } : refused;
    if (t.kind === 'node') return this.scope.nodeInReach(reach, t.id) ? { room: topic } : refused;
    return refused;
  }

  /** The dirty topics with the scoped rooms of the partial ones among them (`rooms`: the rooms now held). */
  withScopedRooms(topics: Iterable<string>, rooms: Iterable<string>): string[] {
    const out = [...topics];
    const partial = out.filter((t) => PARTIAL.has(t));
    if (partial.length) for (const r of rooms) if (r.includes(SCOPED) && partial.includes(publicTopic(r))) out.push(r);
    return out;
  }

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

  /** The data of a topic that passed `check`, or of a scoped room `admit` gave. */
  compute(topic: string): unknown {
    const at = topic.indexOf(SCOPED);
    if (at >= 0) {
      const reach = reachOfKey(topic.slice(at + 1));
      // A room nobody could have been given carries nothing.
      if (!reach) return null;
      return this.bus.compute(topic.slice(0, at), (a) => this.scope.alertInReach(reach, a)) ?? null;
    }
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
