import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError, z } from 'zod';
import { DomainError, type ErrorKind, RateLimited } from '../errors';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    field?: string;
    issues?: { field: string; message: string }[];
    [key: string]: unknown;
  };
}

/** `ErrorBody` as a response schema: every 4xx answer of every route has this shape. */
export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.string().describe('Stable, machine-readable'),
        message: z.string(),
        field: z.string().optional().describe('The offending field, e.g. `body.nodes.0.id`'),
        issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      })
      .catchall(z.unknown())
      .describe('Domain errors add their details, e.g. `problems` of `journey_invalid`'),
  })
  .meta({ id: 'ErrorBody' }) satisfies z.ZodType<ErrorBody>;

function zodIssues(issues: readonly { path: PropertyKey[]; message: string }[], prefix?: string) {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** The HTTP status of each kind of domain error; nothing else in the engine knows statuses. */
export const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** The one place errors become HTTP answers: 4xx name the field, 5xx reveal nothing. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        field: [error.validationContext, ...v.instancePath.split('/').filter(Boolean)]
          .filter(Boolean)
          .join('.'),
        message: v.message ?? 'is invalid',
      }));
      return reply.code(400).send(invalid(issues));
    }
    if (error instanceof ZodError) {
      return reply.code(400).send(invalid(zodIssues(error.issues, 'body')));
    }
    if (error instanceof DomainError) {
      const status = statusOfKind[error.kind];
      if (error instanceof RateLimited) reply.header('Retry-After', String(error.retryAfterSeconds));
      if (status >= 500)
        request.log.error({ err: error, url: request.url, method: request.method }, error.code);
      return reply.code(status).send({
        error: { code: error.code, message: error.message, field: error.field, ...error.details },
      } satisfies ErrorBody);
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({
        error: { code: error.code?.toLowerCase() ?? 'bad_request', message: error.message },
      } satisfies ErrorBody);
    }
    request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
    return reply
      .code(500)
      .send({ error: { code: 'internal_error', message: 'Something went wrong on our side' } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'route_not_found', message: `No route ${request.method} ${request.url}` } });
  });
}

function invalid(issues: { field: string; message: string }[]): ErrorBody {
  const first = issues[0];
  return {
    error: {
      code: 'invalid_request',
      message: first ? `${first.field || 'request'}: ${first.message}` : 'The request is invalid',
      field: first?.field,
      issues,
    },
  };
}
