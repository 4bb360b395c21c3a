import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../common/roles.js';

/** Who makes a request: a signed-in user (session cookie or bearer token). */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** For role `district`: the one unit it sees. */
  district?: string;
  /** For role `operator`: the operator its SLA contracts name. */
  operator?: string;
}

export const PUBLIC_KEY = 'zhuyun:public';
/** A route anyone may call (health, login) or that checks its own credentials (collector ingest). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const SESSION_COOKIE = 'zhuyun_session';

export type RequestWithPrincipal = Request & { principal?: Principal };

/** The principal the guard attached; routes behind @Roles always have one. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
});

/** The session token a request carries: `Authorization: Bearer …` first, else the session cookie. */
export function tokenFrom(headers: { authorization?: string; cookie?: string }): string | undefined {
  const auth = headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim() || undefined;
  const cookie = headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(i + 1).trim()) || undefined;
  }
  return undefined;
}

/** Whether a principal may act as one of `roles` (admin may do everything). */
export function hasRole(p: Principal, roles: readonly Role[]): boolean {
  return p.role === 'admin' || roles.includes(p.role);
}
