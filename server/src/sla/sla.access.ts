import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '../common/errors.js';
import type { Principal } from '../security/principal.js';
import type { MaintenanceWindow } from './maintenance.calendar.js';
import { SlaService, type Contract } from './sla.service.js';

/**
 * What an operator may see of the SLA (DESIGN "Roles"): the contracts that name its operator and
 * the services of those contracts. A district user (issue 15, read only) sees its own unit's
 * extranet service: the contracts that cover it, each showing that service only, and the
 * maintenance windows that cover its unit or the whole city (a platform's). Everyone else who
 * passed the role guard sees everything.
 */
@Injectable()
export class SlaAccess {
  constructor(private readonly sla: SlaService) {}

  /** Whether the principal is an operator (the one who changes things within its contracts). */
  isScoped(p: Principal): boolean {
    return p.role === 'operator';
  }

  /** A district user's one service: its unit's extranet. */
  private ownService(p: Principal): string | undefined {
    return p.role === 'district' ? `extranet:${p.district ?? ''}` : undefined;
  }

  /** The contracts a principal sees; a district user's hold its own service only. */
  async contracts(p: Principal): Promise<Contract[]> {
    const all = await this.sla.listContracts();
    const own = this.ownService(p);
    if (own) return all.filter((c) => c.services.includes(own)).map((c) => ({ ...c, services: [own] }));
    return this.isScoped(p) ? all.filter((c) => c.operator === p.operator) : all;
  }

  async checkContract(p: Principal, id: string): Promise<void> {
    const own = this.ownService(p);
    if (own) {
      if (!(await this.sla.getContract(id)).services.includes(own)) throw new ForbiddenError(`contract ${id} does not cover ${own}, the extranet of user ${p.username}`);
      return;
    }
    if (!this.isScoped(p)) return;
    const c = await this.sla.getContract(id);
    if (c.operator !== p.operator) throw new ForbiddenError(`contract ${id} is not one of ${p.operator}'s`);
  }

  /** The services a principal sees (an operator's contracts', a district user's own extranet); undefined: all. */
  async services(p: Principal): Promise<Set<string> | undefined> {
    const own = this.ownService(p);
    if (own) return new Set([own]);
    if (!this.isScoped(p)) return undefined;
    return new Set((await this.contracts(p)).flatMap((c) => c.services));
  }

  async checkService(p: Principal, service: string): Promise<void> {
    const allowed = await this.services(p);
    if (allowed && !allowed.has(service)) throw new ForbiddenError(p.role === 'district' ? `service ${service} is not the extranet of ${p.district}, the district of user ${p.username}` : `service ${service} is in none of ${p.operator}'s contracts`);
  }

  /**
   * Whether the principal sees a maintenance window: an operator those touching its contracts'
   * services (or its own); a district user those covering its unit or a platform (city-wide).
   */
  async seesWindow(p: Principal, w: Pick<MaintenanceWindow, 'services' | 'districts' | 'requestedBy'>): Promise<boolean> {
    if (p.role === 'district') return districtSeesWindow(p.district ?? '', w);
    return windowVisible(await this.services(p), p.username, w);
  }

  /** An operator may scope a window only to its contracts' services and the units of their extranet services. */
  async checkWindowScope(p: Principal, body: unknown): Promise<void> {
    const allowed = await this.services(p);
    if (!allowed) return;
    const b = (body ?? {}) as { services?: unknown; districts?: unknown };
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    for (const s of list(b.services)) if (!allowed.has(s)) throw new ForbiddenError(`services: ${s} is in none of ${p.operator}'s contracts`);
    for (const d of list(b.districts)) if (!allowed.has(`extranet:${d}`)) throw new ForbiddenError(`districts: the extranet of ${d} is in none of ${p.operator}'s contracts`);
  }

  /** An operator may change or cancel only a window it requested itself. */
  checkWindowOwner(p: Principal, w: Pick<MaintenanceWindow, 'id' | 'requestedBy'>): void {
    if (this.isScoped(p) && w.requestedBy !== p.username) throw new ForbiddenError(`maintenance window ${w.id} was requested by ${w.requestedBy}, not ${p.username}`);
  }
}

/** Whether a window is visible to `username` whose services are `allowed` (undefined: all): it touches one of them, or the user requested it. */
export function windowVisible(allowed: ReadonlySet<string> | undefined, username: string, w: Pick<MaintenanceWindow, 'services' | 'districts' | 'requestedBy'>): boolean {
  if (!allowed || w.requestedBy === username) return true;
  return w.services.some((s) => allowed.has(s)) || w.districts.some((d) => allowed.has(`extranet:${d}`));
}

/** Whether a window concerns a district user of `unit`: it covers the unit's extranet, or a platform every unit uses. */
export function districtSeesWindow(unit: string, w: Pick<MaintenanceWindow, 'services' | 'districts'>): boolean {
  return w.districts.includes(unit) || w.services.some((s) => s === `extranet:${unit}` || !s.startsWith('extranet:'));
}
