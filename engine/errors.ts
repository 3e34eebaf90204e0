/**
 * Expected failures of user input or state, each with a stable code and, where it applies, the
 * offending field. The API maps them to HTTP statuses in one place.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string) {
    super(`${what.toLowerCase().replace(/\s+/g, '_')}_not_found`, `${what} ${id} does not exist`, 404);
  }
}

export class Conflict extends DomainError {
  constructor(code: string, message: string, field?: string) {
    super(code, message, 409, field);
  }
}

export class InvalidInput extends DomainError {
  constructor(code: string, message: string, field?: string, details?: Record<string, unknown>) {
    super(code, message, 400, field, details);
  }
}

export class Unavailable extends DomainError {
  constructor(message: string) {
    super('service_unavailable', message, 503);
  }
}
