import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config';
import { RateLimited } from '../errors';
import { ANALYTICS_SETTINGS_PATH } from './routes/tracking';

export interface SecuritySettings {
  /** Origins allowed to call the management API from a browser; the tracking API is open to all. */
  corsOrigins: string[];
  /** Requests per minute per client address, per group of public endpoints. */
  rateLimits: { tracking: number; account: number; links: number };
}

export const defaultSecuritySettings: SecuritySettings = {
  corsOrigins: [],
  rateLimits: { tracking: 60_000, account: 30, links: 600 },
};

export function securitySettingsFromConfig(config: Config): SecuritySettings {
  return {
    corsOrigins: config.WAYLINE_CORS_ORIGINS,
    rateLimits: {
      tracking: config.WAYLINE_RATE_LIMIT_TRACKING,
      account: config.WAYLINE_RATE_LIMIT_PUBLIC,
      links: config.WAYLINE_RATE_LIMIT_LINKS,
    },
  };
}

/**
 * Where browsers and other sites call: the tracking routes at Segment's paths and the short ones
 * its libraries use, the settings Segment's and RudderStack's libraries read at load
 * (engine/api/routes/tracking.ts), and inbound hook receivers.
 */
const TRACKING = /^\/v1\/(track|identify|batch|page|screen|alias|group|import|[tipsgab])$/;
const ANALYTICS_SETTINGS = /^\/v1\/projects\/[^/]+\/settings$/;
const RUDDERSTACK_CONFIG = /^\/sourceConfig\/?$/;
const HOOK_RECEIVER = /^\/v1\/hooks\/[^/]+$/;

const ACCOUNT_ROUTES = new Set([
  'POST /v1/auth/sign-in',
  'POST /v1/auth/sign-in/link',
  'POST /v1/auth/demo-sign-in',
  'POST /v1/auth/password-reset',
  'POST /v1/auth/password-reset/confirm',
  'POST /v1/invitations/accept',
  'GET /v1/auth/oidc/start',
  'GET /v1/auth/oidc/callback',
]);

type LimitGroup = keyof SecuritySettings['rateLimits'];

function limitGroup(method: string, url: string): LimitGroup | undefined {
  if (ACCOUNT_ROUTES.has(`${method} ${url}`)) return 'account';
  if (method === 'POST' && (TRACKING.test(url) || url === '/v1/hooks/:id')) return 'tracking';
  if (method === 'GET' && (url === ANALYTICS_SETTINGS_PATH || RUDDERSTACK_CONFIG.test(url)))
    return 'tracking';
  if (url.startsWith('/t/')) return 'links';
  return undefined;
}

/**
 * The builder passes this policy: its scripts and styles are files from this origin (Vite emits
 * no inline script). Inline `style` attributes stay allowed because React Flow positions nodes with them.
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/** Swagger UI at /docs needs inline styles and the images of its validator badge; nothing else is relaxed. */
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; object-src 'none'; frame-ancestors 'none'";

/**
 * The headers helmet sets with these options, worked out once: none of them depends on the
 * request (no CSP nonces), and building helmet's middleware for every request (as
 * `@fastify/helmet` does) was about 6 % of a single tracked event's CPU.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * Web security for every route: security headers with a strict CSP, CORS open for the tracking
 * API and closed (or limited to configured origins) for the management API, and rate limits on
 * the public endpoints answering 429 with `Retry-After`.
 */
export const webSecurity = fp<{ settings?: SecuritySettings }>(
  async (app: FastifyInstance, options) => {
    const settings = options.settings ?? defaultSecuritySettings;
    const headers = securityHeaders({
      contentSecurityPolicy: { useDefaults: false, directives: CSP },
      // Tracking pixels and the UI's assets may be embedded or fetched from other origins.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      crossOriginEmbedderPolicy: false,
    });
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
    app.addHook('onSend', async (request, reply) => {
      if (request.url === '/docs' || request.url.startsWith('/docs/'))
        reply.header('content-security-policy', DOCS_CSP);
    });

    // The options are made once: a tracking request (the busiest path) allocates none.
    const open = { origin: '*', methods: ['POST', 'OPTIONS'], credentials: false };
    const management = (origin: string | false) => ({
      origin,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'x-csrf-token'],
    });
    const closed = management(false);
    const byOrigin = new Map(settings.corsOrigins.map((origin) => [origin, management(origin)]));
    await app.register(fastifyCors, {
      delegator: (request, callback) => {
        const path = (request.url ?? '').split('?')[0];
        if (
          TRACKING.test(path) ||
          ANALYTICS_SETTINGS.test(path) ||
          RUDDERSTACK_CONFIG.test(path) ||
          (request.method !== 'GET' && HOOK_RECEIVER.test(path))
        ) {
          callback(null, open);
          return;
        }
        const origin = request.headers.origin;
        callback(null, (origin !== undefined && byOrigin.get(origin)) || closed);
      },
    });

    // Before the rate-limit plugin's own onRoute hook, so it sees each route's limit.
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const group = methods.map((m) => limitGroup(m, route.url)).find(Boolean);
      if (!group) return;
      route.config = {
        ...(route.config as object),
        rateLimit: { max: settings.rateLimits[group], timeWindow: 60_000, groupId: group },
      } as typeof route.config;
    });
    await app.register(fastifyRateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new RateLimited(
          `Too many requests: at most ${context.max} per minute from one address`,
          Math.max(1, Math.ceil(context.ttl / 1000)),
        ),
    });
  },
  { name: 'wayline-web-security' },
);
