import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { secretKeyAuth } from './auth';
import type { AppDeps } from './deps';
import { registerErrorHandler } from './errors';
import { contactRoutes } from './routes/contacts';
import { healthRoutes } from './routes/health';
import { journeyRoutes } from './routes/journeys';
import { nodeTypeRoutes } from './routes/node-types';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
}

/** The HTTP API: `/health`, the authenticated REST API under `/v1`, OpenAPI at `/docs`, the UI at `/`. */
export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 1024 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Wayline API',
        version: '0.1.0',
        description: 'Journeys, contacts and runs. Authenticate with `Authorization: Bearer <secret key>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { deps });
  await app.register(
    async (v1) => {
      await v1.register(secretKeyAuth, { deps });
      await v1.register(nodeTypeRoutes, { deps });
      await v1.register(journeyRoutes, { deps });
      await v1.register(contactRoutes, { deps });
    },
    { prefix: '/v1' },
  );

  if (deps.uiDist && existsSync(deps.uiDist)) {
    await app.register(fastifyStatic, { root: deps.uiDist, prefix: '/', wildcard: false });
    app.get('/*', (request, reply) => {
      if (request.url.startsWith('/v1/')) return reply.callNotFound();
      return reply.sendFile('index.html');
    });
  }
  return app;
}
