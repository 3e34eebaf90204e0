import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import type { AppDeps } from '../../../engine/api/deps';
import { defaultSecuritySettings } from '../../../engine/api/security';
import { createRegistry } from '../../../engine/automation/nodes';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { ensureDemoUser } from '../../../engine/operations/seed-demo';
import { bearer } from '../../helpers/app';
import { testSecretBox } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { identityApp } from './identity-app';

describe('web security: headers, CORS, rate limits, demo sign-in (Fastify inject, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let workspace: NewWorkspace;
  let demoEmail: string;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    workspace = await createWorkspace(database.db, 'Demo');
    const demo = await ensureDemoUser(
      database.db,
      mkdtempSync(path.join(os.tmpdir(), 'wayline-demo-')),
      workspace.id,
    );
    demoEmail = demo.email;
    app = await identityApp(
      database,
      temporal,
      { demoAutologin: { userId: demo.id } },
      {
        security: {
          corsOrigins: ['https://admin.example.com'],
          rateLimits: { ...defaultSecuritySettings.rateLimits, account: 3 },
        },
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  it('sends a strict Content-Security-Policy (no inline scripts) and the other security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
    const docs = await app.inject({ method: 'GET', url: '/docs/static/index.html' });
    expect(String(docs.headers['content-security-policy'])).toContain("style-src 'self' 'unsafe-inline'");
    // Every answer carries them, a refused tracking call and an unknown path too.
    for (const refused of [
      await app.inject({ method: 'POST', url: '/v1/track', payload: {} }),
      await app.inject({ method: 'GET', url: '/v1/no-such-thing' }),
    ]) {
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      expect(refused.headers['content-security-policy']).toBe(csp);
      expect(refused.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(refused.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(refused.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('opens CORS for the tracking API and closes it for the management API except configured origins', async () => {
    const preflight = (url: string, origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const tracking = await preflight('/v1/track', 'https://shop.example.net');
    expect(tracking.headers['access-control-allow-origin']).toBe('*');
    const management = await preflight('/v1/journeys', 'https://evil.example.net');
    expect(management.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await preflight('/v1/journeys', 'https://admin.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
  });

  it('rate limits the public sign-in endpoint with 429, Retry-After in seconds and a JSON body', async () => {
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset',
        payload: { email: 'someone@example.com' },
        remoteAddress: '10.9.9.9',
      });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(202);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', retryAfter });
    // Another address is not affected.
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/auth/password-reset',
          payload: { email: 'x@example.com' },
          remoteAddress: '10.9.9.10',
        })
      ).statusCode,
    ).toBe(202);
  });

  it('signs a loopback browser in as the demo owner, and nobody else', async () => {
    const config = await app.inject({ method: 'GET', url: '/ui-config.json' });
    expect(config.json()).toEqual({ demo: true, autologin: true, sso: false });
    expect(config.body).not.toContain('wl_sk_');
    const local = await app.inject({ method: 'POST', url: '/v1/auth/demo-sign-in' });
    expect(local.statusCode).toBe(200);
    expect(local.json()).toMatchObject({
      user: { email: demoEmail },
      role: 'owner',
      workspaceId: workspace.id,
    });
    const remote = await app.inject({
      method: 'POST',
      url: '/v1/auth/demo-sign-in',
      remoteAddress: '203.0.113.7',
    });
    expect(remote.statusCode).toBe(403);
    const crossSite = await app.inject({
      method: 'POST',
      url: '/v1/auth/demo-sign-in',
      headers: { origin: 'https://evil.example.net' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'GET', url: '/ui-config.json', remoteAddress: '203.0.113.7' })).json(),
    ).toEqual({
      demo: false,
      autologin: false,
      sso: false,
    });
  });

  it('refuses to start with a /v1 route that has no entry in the permission table', async () => {
    const fresh = await buildApp({
      db: database.db,
      database,
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
      registry: createRegistry(),
      secretBox: testSecretBox,
    } as AppDeps);
    try {
      expect(() => fresh.get('/v1/forgotten', async () => ({}))).toThrow(
        /GET \/v1\/forgotten has no entry in ROUTE_PERMISSIONS/,
      );
    } finally {
      await fresh.close();
    }
  });

  it('ignores a signed-in browser on a public route when it lacks the CSRF token', async () => {
    // Another loopback address than the earlier tests, which used up 127.0.0.1's account-route budget.
    const signedIn = await app.inject({ method: 'POST', url: '/v1/auth/demo-sign-in', remoteAddress: '::1' });
    const cookie = signedIn.cookies.find((c) => c.name === 'wayline_session')!.value;
    const accepted = await app.inject({
      method: 'POST',
      url: '/v1/invitations/accept',
      payload: { token: 'not-a-token' },
      cookies: { wayline_session: cookie },
      remoteAddress: '::1',
    });
    expect(accepted.statusCode).toBe(400);
    expect(accepted.json().error.code).toBe('token_invalid');
    const nullOrigin = await app.inject({
      method: 'POST',
      url: '/v1/auth/demo-sign-in',
      headers: { origin: 'null' },
    });
    expect(nullOrigin.statusCode).toBe(403);
  });

  it('answers errors without stack traces or SQL', async () => {
    const bad = await app.inject({
      method: 'GET',
      url: `/v1/contacts/not-a-uuid`,
      headers: bearer(workspace.secretKey),
    });
    expect(bad.statusCode).toBeLessThan(500);
    for (const response of [
      bad,
      await app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { email: 'x' } }),
    ])
      expect(response.body).not.toMatch(/\n\s+at |select |insert |from "|node_modules/i);
  });
});
