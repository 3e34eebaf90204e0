import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { healthSchema } from '../schemas/operations';

async function probe(
  check: () => Promise<unknown>,
  timeoutMs = 3000,
): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Database and Temporal status; 200 only when both answer',
        response: {
          200: healthSchema,
          503: healthSchema.describe('The database or Temporal does not answer'),
        },
      },
    },
    async (_request, reply) => {
      const [database, temporal] = await Promise.all([
        probe(() => deps.database.ping()),
        probe(() => deps.temporal.connection.workflowService.getSystemInfo({})),
      ]);
      const ok = database.ok && temporal.ok;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        database: { ...database, driver: deps.database.driver },
        temporal,
      });
    },
  );
};
