import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '../common/errors.js';
import type { Principal } from '../security/principal.js';
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
}
