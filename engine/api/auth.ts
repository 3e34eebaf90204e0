import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../errors';
import { authenticateKey } from '../identity/api-keys';
import type { AppDeps } from './deps';

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
  }
}

export class Unauthorized extends DomainError {
  constructor(message = 'A valid API key is required: Authorization: Bearer <secret key>') {
    super('unauthorized', message, 'unauthenticated');
  }
}

/**
 * Bearer secret-key authentication for the REST API. Every route in the encapsulated scope gets
 * `request.workspaceId`, and every query is scoped by it.
 */
export const secretKeyAuth = fp<{ deps: AppDeps }>(async (app: FastifyInstance, { deps }) => {
  app.decorateRequest('workspaceId', '');
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new Unauthorized();
    const workspaceId = await authenticateKey(deps.db, match[1], 'secret');
    if (!workspaceId) throw new Unauthorized('The API key is not valid');
    request.workspaceId = workspaceId;
  });
});
