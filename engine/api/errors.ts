import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { DomainError } from '../errors';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    field?: string;
    issues?: { field: string; message: string }[];
    [key: string]: unknown;
  };
}

function zodIssues(issues: readonly { path: PropertyKey[]; message: string }[], prefix?: string) {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

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
      return reply.code(error.status).send({
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
