import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Metrics } from '../metrics';
import { mediaResponse } from '../schemas/common';

/**
 * `GET /metrics` in the Prometheus text format. Outside `/v1` like `/health`: instance-wide
 * aggregates with no workspace data, for a scraper on the operators' network (see
 * docs/operations.md), not for workspace users, whose permissions cannot cover other tenants.
 */
export const metricsRoutes: FastifyPluginAsyncZod<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary:
          'Prometheus metrics: ingest, dispatch lag, sends per channel and outcome, runs, activity failures',
        response: { 200: mediaResponse('text/plain', 'Prometheus text exposition format 0.0.4') },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()),
  );
};
