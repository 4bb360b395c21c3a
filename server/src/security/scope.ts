import { Injectable, Module } from '@nestjs/common';
import { resolveUnit } from '@zhuyun/protocol';
import { ForbiddenError } from '../common/errors.js';
import { StatusModule } from '../status/status.module.js';
import { StatusService } from '../status/status.service.js';
import type { Principal } from './principal.js';

/**
 * Scope by data (issue 13): what a signed-in user may see of the network is decided from the data a
 * request names, not from the name of the parameter that names it. A `district` user is confined to
 * one unit (a district code or a zone id, Article 9): every selector of a scoped route — `district`,
 * `unit`, `node`, an id in the path — is resolved to the unit it stands for (a node through the live
 * state and topology) and refused when that is not the user's unit. Everyone else is not confined.
 *
 * A zone's nodes stand in a district but belong to the zone, so a district user does not see them
 * (as the live topic `district:<code>` and `GET /api/v1/series?district=` already have it).
 */

/** The unit a principal is confined to, or undefined when it sees every unit. */
export function confinedUnit(p: Principal): string | undefined {
  return p.role === 'district' ? (p.district ?? '') : undefined;
}

/** Whether a principal may read the credentials of notification channels (robot URLs): admin and ops only. */
export function seesCredentials(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'ops';
}

/** How a selector's value names a place: a unit (`district=520103`, `unit=gy-hitech`) or a node id. */
export type SelectorKind = 'unit' | 'node';

@Injectable()
export class ScopeService {
  constructor(private readonly status: StatusService) {}

  /** The unit a node belongs to, from the live state (nodes that reported or that the topology names). */
  unitOfNode(node: string): string | undefined {
    return this.status.node(node)?.unit;
  }

  /** The unit a unit selector stands for: a district code (or retired code) or a zone id; undefined when unknown. */
  unitOfSelector(value: string): string | undefined {
    return resolveUnit(value)?.unit;
  }

  /** Whether a principal sees data of `unit` (a record's own unit, not its host district). */
  seesUnit(p: Principal, unit: string | null | undefined): boolean {
    const own = confinedUnit(p);
    return own === undefined || (unit !== null && unit !== undefined && unit === own);
  }

  /** Whether a principal sees data of a node (an unknown node is outside every confined scope). */
  seesNode(p: Principal, node: string): boolean {
    return confinedUnit(p) === undefined || this.seesUnit(p, this.unitOfNode(node));
  }

  /** Throws 403 unless the principal sees `unit`; `what` names the thing in the message. */
  checkUnit(p: Principal, unit: string | null | undefined, what: string): void {
    if (!this.seesUnit(p, unit)) throw new ForbiddenError(`${what} is not in ${p.district}, the district of user ${p.username}`);
  }

  /**
   * Checks every selector of a query a principal sends: each one present (by `selectors`' names) must
   * name a place in the principal's scope, else 403 naming the parameter. Returns the query with
   * `force` (when given) set to the confined unit, so that a query with no selector reads only the
   * user's own data. Unconfined principals get the query back unchanged.
   */
  confine<Q extends object>(p: Principal, query: Q, selectors: Readonly<Record<string, SelectorKind>>, force?: keyof Q & string): Q {
    const own = confinedUnit(p);
    if (own === undefined) return query;
    for (const [name, kind] of Object.entries(selectors)) {
      const raw = (query as Record<string, unknown>)[name];
      if (raw === undefined) continue;
      // `?unit=a&unit=b` arrives as an array: every value must be in scope.
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        const v = String(value);
        const unit = kind === 'node' ? this.unitOfNode(v) : this.unitOfSelector(v);
        if (unit !== own) throw new ForbiddenError(`${name}=${JSON.stringify(v)}: ${kind === 'node' ? 'that node' : 'that unit'} is not in ${own}, the district of user ${p.username}`);
      }
    }
    return force ? { ...query, [force]: own } : query;
  }
}

/** ScopeService for the modules whose handlers serve scoped data. */
@Module({ imports: [StatusModule], providers: [ScopeService], exports: [ScopeService] })
export class ScopeModule {}
