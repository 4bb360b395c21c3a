import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { AuditService } from './audit.service.js';
import { PUBLIC_KEY, type RequestWithPrincipal } from './principal.js';

export const SELF_AUDITED_KEY = 'zhuyun:self-audited';
/** The handler records its own, richer audit entry (before/after); the interceptor leaves it. */
export const SelfAudited = () => SetMetadata(SELF_AUDITED_KEY, true);

const MAX_BODY_CHARS = 4_000;

function compact(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length <= MAX_BODY_CHARS ? (typeof body === 'string' ? body : body) : `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} characters)`;
}

/**
 * Every change a signed-in user makes (POST, PUT, PATCH, DELETE on a non-public route) goes to the
 * audit log — `http.<METHOD> <route>` with the route's parameters as target, the request body as
 * "after" (secrets scrubbed by AuditService) and the outcome, also when it fails — so that no
 * admin change escapes it, whichever module it is in. Handlers that record a richer entry of their
 * own (logins, user changes, acknowledgements, token operations) are marked @SelfAudited.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (
      req.method === 'GET' ||
      req.method === 'HEAD' ||
      !req.principal ||
      this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ||
      this.reflector.getAllAndOverride<boolean>(SELF_AUDITED_KEY, targets)
    ) {
      return next.handle();
    }
    const route = (req as unknown as { route?: { path?: string } }).route?.path ?? req.path;
    const params = req.params && Object.keys(req.params).length ? Object.values(req.params).join('/') : undefined;
    const entry = { actor: `user:${req.principal.username}`, action: `http.${req.method} ${route}`, target: params, after: compact(req.body), address: req.ip };
    const record = (outcome: 'ok' | 'failed') => void this.audit.record({ ...entry, outcome }).catch(() => undefined);
    return next.handle().pipe(
      tap(() => record('ok')),
      catchError((err: unknown) => {
        record('failed');
        return throwError(() => err);
      }),
    );
  }
}
