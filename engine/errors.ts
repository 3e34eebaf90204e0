/**
 * What went wrong, in domain terms. The API alone turns a kind into an HTTP status
 * (`engine/api/errors.ts`); jobs, the dispatcher and activities ask the kind to decide whether a
 * retry can help.
 */
export type ErrorKind =
  | 'invalid'
  | 'unprocessable'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/**
 * Expected failures of user input or state, each with a stable code and, where it applies, the
 * offending field.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The caller's input or the state it met is the cause: retrying the same call cannot help. */
  get expected(): boolean {
    return this.kind !== 'unavailable' && this.kind !== 'internal';
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string) {
    super(
      `${what.toLowerCase().replace(/\s+/g, '_')}_not_found`,
      `${what} ${id} does not exist`,
      'not_found',
    );
  }
}

export class Conflict extends DomainError {
  constructor(code: string, message: string, field?: string) {
    super(code, message, 'conflict', field);
  }
}

export class InvalidInput extends DomainError {
  constructor(code: string, message: string, field?: string, details?: Record<string, unknown>) {
    super(code, message, 'invalid', field, details);
  }
}

export class Unavailable extends DomainError {
  constructor(message: string) {
    super('service_unavailable', message, 'unavailable');
  }
}

/** Too many attempts; `retryAfterSeconds` tells when to come back. */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    field?: string,
  ) {
    super('rate_limited', message, 'rate_limited', field, { retryAfter: retryAfterSeconds });
  }
}

export class Forbidden extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 'forbidden', undefined, details);
  }
}
