import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { uiConfigSchema } from '../schemas/operations';

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `GET /ui-config.json`: what the builder UI needs before it can call the API. With
 * WAYLINE_DEMO_AUTOLOGIN (the embedded `npm start`), a browser on this machine is told it may
 * sign in as the demo owner (`POST /v1/auth/demo-sign-in`); everyone else signs in, with single
 * sign-on offered when it is configured.
 */
export const uiConfigRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/ui-config.json',
    { schema: { hide: true, response: { 200: uiConfigSchema } } },
    async (request) => {
      const autologin = !!deps.identity?.demoAutologin && loopback.has(request.ip);
      return { demo: autologin, autologin, sso: !!deps.identity?.oidc };
    },
  );
};
