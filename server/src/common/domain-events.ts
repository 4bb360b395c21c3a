import { Injectable } from '@nestjs/common';

/** Scope of an alert, an incident or a maintenance window. */
export interface Scope {
  district?: string;
  node?: string;
  /** SLA service id, e.g. `extranet:520103`, `cloud`, `share`, `open`. */
  service?: string;
}

/** What domain modules tell each other without importing each other. */
export interface DomainEventMap {
  /** An alert was acknowledged (SLA uses it for time to acknowledge of an open incident). */
  'alert.acknowledged': { alertId: string; scope: Scope; at: number; by: string };
  'alert.transition': { alertId: string; rule: string; scope: Scope; from: string; to: string; at: number; severity: string };
}

type Handler<K extends keyof DomainEventMap> = (e: DomainEventMap[K]) => void;

/** A small typed, synchronous event bus (global). A throwing handler does not stop the others. */
@Injectable()
export class DomainEvents {
  private readonly handlers = new Map<keyof DomainEventMap, Set<Handler<never>>>();

  on<K extends keyof DomainEventMap>(event: K, handler: Handler<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<K extends keyof DomainEventMap>(event: K, payload: DomainEventMap[K]): void {
    for (const h of this.handlers.get(event) ?? []) {
      try {
        (h as Handler<K>)(payload);
      } catch {
        // handlers log their own failures
      }
    }
  }
}

/**
 * Maintenance windows as other modules need them (alerts pause escalation inside one). The SLA
 * module provides it under this token from a @Global module; inject with @Optional().
 */
export const MAINTENANCE_CALENDAR = Symbol('MAINTENANCE_CALENDAR');
export interface MaintenanceCalendar {
  /** True when an approved window covers this scope at time `t` (epoch ms). */
  inMaintenance(scope: Scope, t: number): boolean;
}
