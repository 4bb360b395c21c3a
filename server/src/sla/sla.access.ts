import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '../common/errors.js';
import type { Principal } from '../security/principal.js';
import type { MaintenanceWindow } from './maintenance.calendar.js';
import { SlaService, type Contract } from './sla.service.js';

/**
 * What an operator may see of the SLA (DESIGN "Roles"): the contracts that name its operator and
 * the services of those contracts. Everyone else who passed the role guard sees everything.
 */
@Injectable()
export class SlaAccess {
  constructor(private readonly sla: SlaService) {}

  isScoped(p: Principal): boolean {
    return p.role === 'operator';
  }

  async contracts(p: Principal): Promise<Contract[]> {
    const all = await this.sla.listContracts();
    return this.isScoped(p) ? all.filter((c) => c.operator === p.operator) : all;
  }

  async checkContract(p: Principal, id: string): Promise<void> {
    if (!this.isScoped(p)) return;
    const c = await this.sla.getContract(id);
    if (c.operator !== p.operator) throw new ForbiddenError(`contract ${id} is not one of ${p.operator}'s`);
  }

  /** The services an operator's contracts cover; undefined: all. */
  async services(p: Principal): Promise<Set<string> | undefined> {
    if (!this.isScoped(p)) return undefined;
    return new Set((await this.contracts(p)).flatMap((c) => c.services));
  }

  async checkService(p: Principal, service: string): Promise<void> {
    const allowed = await this.services(p);
    if (allowed && !allowed.has(service)) throw new ForbiddenError(`service ${service} is in none of ${p.operator}'s contracts`);
  }

  /** Whether the principal sees a maintenance window: an operator those touching its contracts' services (or its own). */
  async seesWindow(p: Principal, w: Pick<MaintenanceWindow, 'services' | 'districts' | 'requestedBy'>): Promise<boolean> {
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
