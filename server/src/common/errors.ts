/**
 * Domain errors. Services throw these; DomainErrorFilter maps them to HTTP at the edge
 * (STYLE rule 5). Domain code never throws HTTP exceptions.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is not what the contract asks for (HTTP 400). */
export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, details);
  }
}

/** No credentials, or credentials that are unknown or revoked (HTTP 401). */
export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

/** Valid credentials that may not do this (HTTP 403). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A request over a size limit (HTTP 413). */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** Too many attempts (HTTP 429); `retryAfterMs` becomes the Retry-After header. */
export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('too_many_requests', message, { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) });
  }
}

/** A backing service (storage) cannot be reached (HTTP 503). */
export class UnavailableError extends DomainError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

export const HTTP_STATUS: ReadonlyArray<[new (...a: never[]) => DomainError, number]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [TooManyRequestsError, 429],
  [UnavailableError, 503],
];

export function httpStatusOf(err: DomainError): number {
  for (const [cls, status] of HTTP_STATUS) if (err instanceof cls) return status;
  return 500;
}
