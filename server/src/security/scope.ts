import { Injectable, Module } from '@nestjs/common';
import { resolveUnit } from '@zhuyun/protocol';
import { ForbiddenError } from '../common/errors.js';
import { StatusModule } from '../status/status.module.js';
import { SlaService } from '../sla/sla.service.js';
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

/**
 * Where a confined principal reaches (issue 15): a district user its one unit; an operator the units
 * whose extranet its contracts name (`extranet:<unit>`) and the platforms they name (`cloud`,
 * `share`, `open`: the platform nodes, wherever they stand). Undefined for everyone else (all).
 */
export interface Reach {
  kind: 'district' | 'operator';
  units: ReadonlySet<string>;
  platforms: ReadonlySet<string>;
}

const PLATFORM_SERVICES: ReadonlySet<string> = new Set(['cloud', 'share', 'open']);

/** The reach of an operator whose contracts name `services`. Pure. */
export function reachOfServices(services: Iterable<string>): Reach {
  const units = new Set<string>();
  const platforms = new Set<string>();
  for (const s of services) {
    if (s.startsWith('extranet:')) units.add(s.slice('extranet:'.length));
    else if (PLATFORM_SERVICES.has(s)) platforms.add(s);
  }
  return { kind: 'operator', units, platforms };
}

/** A reach as a short stable key (`d:520103`, `o:520102,520103|cloud`): the live gateway's room suffix. */
export function reachKey(r: Reach): string {
  return `${r.kind === 'district' ? 'd' : 'o'}:${[...r.units].sort().join(',')}|${[...r.platforms].sort().join(',')}`;
}

/** The reach a key of reachKey stands for; undefined when it is not one. */
export function reachOfKey(key: string): Reach | undefined {
  const m = /^([do]):([^|]*)\|(.*)$/.exec(key);
  if (!m) return undefined;
  const list = (v: string) => new Set(v ? v.split(',') : []);
  return { kind: m[1] === 'd' ? 'district' : 'operator', units: list(m[2]), platforms: list(m[3]) };
}

/** How a selector's value names a place: a unit (`district=520103`, `unit=gy-hitech`) or a node id. */
export type SelectorKind = 'unit' | 'node';

@Injectable()
export class ScopeService {
  constructor(
    private readonly status: StatusService,
    private readonly sla: SlaService,
  ) {}

  /** Where a principal reaches; undefined: everywhere (admin, ops, leader). Reads an operator's contracts. */
  async reach(p: Principal): Promise<Reach | undefined> {
    if (p.role === 'district') return { kind: 'district', units: new Set([p.district ?? '']), platforms: new Set() };
    if (p.role !== 'operator') return undefined;
    const contracts = (await this.sla.listContracts()).filter((c) => c.operator === p.operator);
    return reachOfServices(contracts.flatMap((c) => c.services));
  }

  /**
   * Whether a node is within a reach: a district's nodes by their unit (as seesNode); for an operator
   * a platform node by its platform, any other node by its unit. An unknown node is in no reach.
   */
  nodeInReach(r: Reach | undefined, node: string): boolean {
    if (!r) return true;
    const n = this.status.node(node);
    if (!n) return false;
    if (r.kind === 'operator' && n.platform) return r.platforms.has(n.platform);
    return r.units.has(n.unit);
  }

  /** Whether an alert (its unit and node) is within a reach: its node's, else (a node gone) its unit's. */
  alertInReach(r: Reach | undefined, a: { unit: string; node: string }): boolean {
    if (!r) return true;
    if (a.node && this.status.node(a.node)) return this.nodeInReach(r, a.node);
    return r.units.has(a.unit);
  }

  /**
   * An operator's `confine`: each selector present must name a place in its reach (a unit of its
   * contracts' extranet, a node they cover), else 403 naming the parameter.
   */
  checkSelectors(p: Principal, r: Reach, query: object, selectors: Readonly<Record<string, SelectorKind>>): void {
    for (const [name, kind] of Object.entries(selectors)) {
      const raw = (query as Record<string, unknown>)[name];
      if (raw === undefined) continue;
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        const v = String(value);
        const ok = kind === 'node' ? this.nodeInReach(r, v) : r.units.has(this.unitOfSelector(v) ?? '');
        if (!ok) throw new ForbiddenError(`${name}=${JSON.stringify(v)}: ${kind === 'node' ? 'that node' : 'that unit'} is not covered by the contracts of ${p.operator ?? p.username}`);
      }
    }
  }

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
