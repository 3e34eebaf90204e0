import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { defaultContentDeps } from '../content/storage';
import { secretKeyAuth } from './auth';
import type { AppDeps } from './deps';
import { registerErrorHandler } from './errors';
import { inputGuard } from './input-guard';
import { createMetrics } from './metrics';
import { parseQueryString, strictQueryString } from './query-string';
import { analyticsRoutes } from './routes/analytics';
import { apiKeyRoutes } from './routes/api-keys';
import { assetRoutes } from './routes/assets';
import { attributeRoutes } from './routes/attributes';
import { auditLogRoutes } from './routes/audit-log';
import { authRoutes } from './routes/auth';
import { broadcastRoutes } from './routes/broadcasts';
import { campaignRoutes } from './routes/campaigns';
import { channelRoutes } from './routes/channels';
import { contactRoutes } from './routes/contacts';
import { contentPublicRoutes, contentRoutes } from './routes/content';
import { dealRoutes, pipelineRoutes } from './routes/deals';
import { devOutboxRoutes } from './routes/dev-outbox';
import { deviceRoutes } from './routes/devices';
import { healthRoutes } from './routes/health';
import { holidayRoutes } from './routes/holidays';
import { hookReceiverRoutes, hookRoutes } from './routes/hooks';
import { invitationRoutes } from './routes/invitations';
import { jobRoutes } from './routes/jobs';
import { journeyLifecycleRoutes } from './routes/journey-lifecycle';
import { journeyRoutes } from './routes/journeys';
import { listRoutes } from './routes/lists';
import { memberRoutes } from './routes/members';
import { messageTrackingRoutes } from './routes/message-tracking';
import { metricsRoutes } from './routes/metrics';
import { nodeTypeRoutes } from './routes/node-types';
import { nodeUpgradeRoutes } from './routes/node-upgrades';
import { secretRoutes } from './routes/secrets';
import { segmentRoutes } from './routes/segments';
import { simulateRoutes } from './routes/simulate';
import { socialRoutes } from './routes/social';
import { templateRoutes } from './routes/templates';
import { ticketRatingRoutes } from './routes/ticket-ratings';
import { ticketRoutes } from './routes/tickets';
import { timelineRoutes } from './routes/timeline';
import { analyticsSettingsRoutes, rudderStackConfigRoutes, trackingRoutes } from './routes/tracking';
import { uiConfigRoutes } from './routes/ui-config';
import { viewRoutes } from './routes/views';
import { workspaceArchiveRoutes } from './routes/workspace-archive';
import { workspaceRoutes } from './routes/workspaces';
import { mediaResponse } from './schemas/common';
import { webSecurity } from './security';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** The process's logger, shared with the dispatcher (takes precedence over `logger`). */
  loggerInstance?: FastifyBaseLogger;
}

/** The HTTP API: `/health`, the authenticated REST API under `/v1`, OpenAPI at `/docs`, the UI at `/`. */
export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? false }),
    bodyLimit: 1024 * 1024,
    // Strict: undecodable percent-encoding, non-UTF-8 bytes and NUL in a query string are refused.
    routerOptions: { querystringParser: parseQueryString },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  // Every route, /v1 or not: a query string the parser refused is a 400 naming the parameter.
  await app.register(strictQueryString);
  const metrics = createMetrics(deps.db);
  metrics.observe(app);
  // Before any route: headers, CORS and rate limits cover every route, and the auth layer sees
  // each /v1 route as it is added (one without a permission stops the start-up).
  await app.register(webSecurity, { settings: deps.security });
  await app.register(secretKeyAuth, { deps });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Wayline API',
        version: '0.1.0',
        description:
          'Journeys, contacts and runs. Authenticate with `Authorization: Bearer <secret key>` (within its scopes) or the `wayline_session` cookie from `POST /v1/auth/sign-in` (writes send its CSRF token as `X-CSRF-Token`). A call without the permission answers 403 naming it; see docs/security.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'wayline_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas registered with an id (recursive segment groups, the error body) become components.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { deps });
  await app.register(metricsRoutes, { metrics });
  // Channel settings and the public tracking links need the secret key: mounted when channel deps are given.
  const channels = deps.channels && { ...deps.channels, temporal: deps.temporal };
  if (channels) await app.register(messageTrackingRoutes, { channels });
  await app.register(uiConfigRoutes, { deps });
  const content = deps.content ?? defaultContentDeps();
  const publicUrl = deps.channels?.publicUrl ?? '';
  await app.register(contentPublicRoutes, { deps, content });
  // Write-key and signature authenticated, so outside the secret-key scope below.
  await app.register(trackingRoutes, { deps });
  await app.register(analyticsSettingsRoutes, { deps });
  await app.register(rudderStackConfigRoutes, { deps });
  await app.register(hookReceiverRoutes, { deps });
  await app.register(ticketRatingRoutes, { deps });
  await app.register(
    async (v1) => {
      await v1.register(inputGuard);
      await v1.register(authRoutes, { deps });
      await v1.register(workspaceRoutes, { deps });
      await v1.register(workspaceArchiveRoutes, { deps });
      await v1.register(memberRoutes, { deps });
      await v1.register(invitationRoutes, { deps });
      await v1.register(nodeTypeRoutes, { deps });
      await v1.register(nodeUpgradeRoutes, { deps });
      await v1.register(secretRoutes, { deps });
      await v1.register(journeyRoutes, { deps });
      await v1.register(journeyLifecycleRoutes, { deps });
      await v1.register(holidayRoutes, { deps });
      await v1.register(contactRoutes, { deps });
      await v1.register(segmentRoutes, { deps });
      await v1.register(listRoutes, { deps });
      await v1.register(attributeRoutes, { deps });
      await v1.register(viewRoutes, { deps });
      await v1.register(timelineRoutes, { deps });
      await v1.register(jobRoutes, { deps });
      await v1.register(simulateRoutes, { deps });
      await v1.register(templateRoutes, { deps, channels });
      await v1.register(devOutboxRoutes, { deps });
      await v1.register(deviceRoutes, { deps });
      await v1.register(contentRoutes, { deps, publicUrl });
      await v1.register(assetRoutes, { deps, content, publicUrl });
      await v1.register(socialRoutes, { deps, publicUrl });
      if (channels) await v1.register(channelRoutes, { deps, channels });
      await v1.register(hookRoutes, { deps });
      await v1.register(apiKeyRoutes, { deps });
      await v1.register(auditLogRoutes, { deps });
      await v1.register(analyticsRoutes, { deps });
      await v1.register(ticketRoutes, { deps });
      await v1.register(pipelineRoutes, { deps });
      await v1.register(dealRoutes, { deps });
      await v1.register(campaignRoutes, { deps });
      await v1.register(broadcastRoutes, { deps });
    },
    { prefix: '/v1' },
  );

  if (deps.uiDist && existsSync(deps.uiDist)) {
    await app.register(fastifyStatic, { root: deps.uiDist, prefix: '/', wildcard: false });
    // The build names the files under /assets/ by their content's hash: a browser keeps them for
    // good and never asks again (index.html, which names them, is revalidated on every visit).
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/assets/') && reply.statusCode === 200) {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
      }
    });
    const page = { hide: true, response: { 200: mediaResponse('text/html', 'The builder UI') } };
    app.get('/*', { schema: page }, (request, reply) => {
      // An API path or a build file that is not there is a 404, not the page.
      if (request.url.startsWith('/v1/') || request.url.startsWith('/assets/')) return reply.callNotFound();
      return reply.sendFile('index.html');
    });
  }
  return app;
}
