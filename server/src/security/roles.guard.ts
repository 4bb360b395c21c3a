import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthorizedError } from '../common/errors.js';
import { ROLES_KEY, type Role } from '../common/roles.js';
import { AccountsService } from './accounts.service.js';
import { PUBLIC_KEY, hasRole, tokenFrom, type RequestWithPrincipal } from './principal.js';

/**
 * Every HTTP route passes here (APP_GUARD). `@Public()` routes go through untouched (health, login,
 * collector ingest with its own token). Any other route needs a live session — 401 without — and
 * one of the roles its `@Roles(...)` names — 403 otherwise; a route that names none is admin's
 * only, so a forgotten decorator closes a route rather than opening it.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: AccountsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
    const token = tokenFrom(req.headers);
    const principal = token ? await this.accounts.resolve(token) : undefined;
    if (!principal) {
      throw new UnauthorizedError(token ? 'the session has expired or was ended: sign in again' : 'sign in first: a session cookie or "Authorization: Bearer <session token>" is needed');
    }
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!hasRole(principal, roles)) {
      throw new ForbiddenError(`role ${principal.role} may not ${req.method} ${req.baseUrl}${req.path}`);
    }
    return true;
  }
}
