import { Injectable } from '@nestjs/common';
import { parseTopic, type Topic } from '@zhuyun/protocol';
import { LiveBus } from '../common/live-bus.js';
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
