import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `GET /ui-config.json`: what the builder UI needs before it can call the API. Until login
 * exists, the embedded `npm start` hands the demo workspace's key to a browser on this machine
 * only; anywhere else (separate API processes, remote clients) the user pastes a key.
 */
export const uiConfigRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/ui-config.json', { schema: { hide: true } }, async (request) => {
    const demo = deps.demoKey && loopback.has(request.ip) ? { demo: true, apiKey: deps.demoKey } : {};
    return { demo: false, ...demo };
  });
};
