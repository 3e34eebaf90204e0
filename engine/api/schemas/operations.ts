import { z } from 'zod';

const probeSchema = z.object({ ok: z.boolean(), error: z.string().optional() });

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: probeSchema.extend({ driver: z.string() }),
    temporal: probeSchema,
  })
  .meta({ id: 'Health' });

export const uiConfigSchema = z.object({
  demo: z.boolean(),
  autologin: z.boolean().describe('A browser on this machine may sign in as the demo owner'),
  sso: z.boolean().describe('Single sign-on (OpenID Connect) is configured: GET /v1/auth/oidc/start'),
});
