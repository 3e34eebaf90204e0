import http from 'node:http';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { users } from '../../../db/schema';
import { issueToken } from '../../../engine/identity/one-time-tokens';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { freePort } from '../../helpers/ports';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { identityApp, member } from './identity-app';

const PUBLIC_URL = 'http://127.0.0.1:4199';

/** People the test identity provider knows, by the login typed into its form. */
const accounts: Record<string, { email: string; verified: boolean; name: string }> = {
  grace: { email: 'grace@example.com', verified: true, name: 'Grace Hopper' },
  stranger: { email: 'stranger@example.com', verified: true, name: 'Stranger' },
  invited: { email: 'invited@example.com', verified: true, name: 'Invited Person' },
  unverified: { email: 'grace@example.com', verified: false, name: 'Not Grace' },
};

/** A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 with its development login and consent forms. */
async function startProvider(): Promise<{ issuer: string; close: () => Promise<void> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'wayline',
        client_secret: 'wayline-test-secret',
        redirect_uris: [`${PUBLIC_URL}/v1/auth/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: account.verified, name: account.name };
        },
      };
    },
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key'] },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A browser's trip: Wayline's start route, the provider's login and consent forms (posted as a
 * person would), back to Wayline's callback. Plain HTTP with a cookie jar, following redirects by hand.
 */
async function signInWithSso(app: FastifyInstance, login: string) {
  const start = await app.inject({ method: 'GET', url: '/v1/auth/oidc/start?returnTo=/journeys' });
  expect(start.statusCode).toBe(302);
  const waylineCookie = start.cookies.find((c) => c.name === 'wayline_oidc')!;
  const jar = new Map<string, string>();
  let url = start.headers.location as string;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(PUBLIC_URL)) {
      const callback = new URL(url);
      return app.inject({
        method: 'GET',
        url: `${callback.pathname}${callback.search}`,
        cookies: { wayline_oidc: waylineCookie.value },
      });
    }
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair.split('=');
      jar.set(name, value.join('='));
    }
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action)
      throw new Error(`the provider answered ${response.status} without a form:\n${html.slice(0, 500)}`);
    const fields = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
      fields.set(name, value);
    if (fields.get('prompt') === 'login') {
      fields.set('login', login);
      fields.set('password', 'any password');
    }
    url = new URL(action, url).href;
    method = 'POST';
    body = fields.toString();
  }
  throw new Error('too many redirects');
}

describe.each(databaseKinds())(
  'single sign-on against a real OpenID Connect provider (oidc-provider on 127.0.0.1, %s)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let provider: { issuer: string; close: () => Promise<void> };
    let workspace: NewWorkspace;

    beforeAll(async () => {
      provider = await startProvider();
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      app = await identityApp(database, temporal, {
        publicUrl: PUBLIC_URL,
        oidc: { issuer: provider.issuer, clientId: 'wayline', clientSecret: 'wayline-test-secret' },
      });
      workspace = await createWorkspace(database.db, 'Acme');
    });
    afterAll(async () => {
      await app?.close();
      await temporal?.close();
      await database?.close();
      await provider?.close();
    });

    it('signs in an existing user by verified email, links the identity, and returns to the page asked for', async () => {
      const grace = await member(database, workspace.id, 'marketer', 'grace@example.com');
      const callback = await signInWithSso(app, 'grace');
      expect(callback.statusCode).toBe(302);
      expect(callback.headers.location).toBe('/journeys');
      const session = callback.cookies.find((c) => c.name === 'wayline_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      const me = await app.inject({
        method: 'GET',
        url: '/v1/auth/me',
        cookies: { wayline_session: session!.value },
      });
      expect(me.json()).toMatchObject({
        user: { id: grace.id, email: 'grace@example.com' },
        role: 'marketer',
      });
      const [row] = await database.db.select().from(users).where(eq(users.id, grace.id));
      expect(row.oidcSubject).toBe(`${provider.issuer}|grace`);
      // Once linked, the identity signs in by its subject.
      expect((await signInWithSso(app, 'grace')).statusCode).toBe(302);
    });

    it('refuses an unknown, uninvited person with a clear 403 and creates no user', async () => {
      const callback = await signInWithSso(app, 'stranger');
      expect(callback.statusCode).toBe(403);
      expect(callback.json().error).toMatchObject({ code: 'sso_user_unknown' });
      expect(callback.json().error.message).toMatch(/invite/);
      expect(await database.db.select().from(users).where(eq(users.email, 'stranger@example.com'))).toEqual(
        [],
      );
    });

    it('does not link by an email the provider has not verified', async () => {
      const callback = await signInWithSso(app, 'unverified');
      expect(callback.statusCode).toBe(403);
      expect(callback.json().error.code).toBe('sso_email_unverified');
    });

    it('creates an invited person on first sign-in with the invited role', async () => {
      await issueToken(database.db, {
        purpose: 'invitation',
        email: 'invited@example.com',
        workspaceId: workspace.id,
        role: 'analyst',
        ttlMs: 86_400_000,
      });
      const callback = await signInWithSso(app, 'invited');
      expect(callback.statusCode).toBe(302);
      const session = callback.cookies.find((c) => c.name === 'wayline_session')!;
      const me = await app.inject({
        method: 'GET',
        url: '/v1/auth/me',
        cookies: { wayline_session: session.value },
      });
      expect(me.json()).toMatchObject({
        user: { email: 'invited@example.com', name: 'Invited Person' },
        role: 'analyst',
      });
    });

    it('refuses a callback without the state cookie of its start', async () => {
      const response = await app.inject({ method: 'GET', url: '/v1/auth/oidc/callback?code=x&state=y' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('sso_expired');
    });
  },
);
