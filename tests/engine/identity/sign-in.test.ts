import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { auditLog, sessions } from '../../../db/schema';
import { issueApiKey } from '../../../engine/identity/api-keys';
import { createSession, resolveSession } from '../../../engine/identity/sessions';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import type { TemporalHarness } from '../../helpers/temporal';
import { identityApp, member, PASSWORD, signIn } from './identity-app';

const signInAs = (app: FastifyInstance, email: string, password: string, ip = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { email, password }, remoteAddress: ip });

describe.each(databaseKinds())('sign-in and sessions (Fastify inject, real Temporal client, %s)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    stack = await apiStack({ kind, app: identityApp });
    ({ database, temporal, app } = stack);
    workspace = await createWorkspace(database.db, 'Acme');
  });
  afterAll(() => stack?.close());

  it('signs in with email and password: HttpOnly SameSite=Lax cookie, user, workspaces, role, CSRF token', async () => {
    const user = await member(database, workspace.id, 'marketer', 'Ada@Example.com');
    const response = await signInAs(app, 'ADA@example.com', PASSWORD);
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'wayline_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    const body = response.json();
    expect(body).toMatchObject({
      user: { id: user.id, email: 'ada@example.com' },
      workspaceId: workspace.id,
      role: 'marketer',
      workspaces: [{ id: workspace.id, name: 'Acme', role: 'marketer' }],
    });
    expect(body.permissions).toContain('journeys:write');
    expect(body.permissions).not.toContain('members:manage');
    expect(body.csrfToken).toMatch(/\S{20,}/);
    // The database keeps only a hash of the cookie's token.
    const [row] = await database.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(row.id).not.toBe(cookie?.value);
  });

  it('sets Secure cookies when the public URL is HTTPS', async () => {
    const secureApp = await identityApp(database, temporal, { publicUrl: 'https://wayline.example.com' });
    try {
      const user = await member(database, workspace.id, 'analyst');
      const response = await signInAs(secureApp, user.email, PASSWORD);
      expect(response.cookies.find((c) => c.name === 'wayline_session')?.secure).toBe(true);
    } finally {
      await secureApp.close();
    }
  });

  it('answers a wrong password with 401, records the failure, and sets no cookie', async () => {
    const user = await member(database, workspace.id, 'sales');
    const response = await signInAs(app, user.email, 'wrong password here', '10.0.0.1');
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toMatchObject({ code: 'invalid_credentials' });
    expect(response.cookies).toEqual([]);
    const failures = await database.db.select().from(auditLog).where(eq(auditLog.objectId, user.id));
    expect(failures.map((f) => [f.action, f.outcome])).toContainEqual(['auth.sign-in', 'failed']);
    expect(JSON.stringify(response.json())).not.toMatch(/select|argon|stack/i);
  });

  it('locks an account after 5 failures in 15 minutes: 429 with Retry-After, even with the right password', async () => {
    const user = await member(database, workspace.id, 'support');
    for (let i = 0; i < 5; i++)
      expect((await signInAs(app, user.email, `wrong-password-${i}`, `10.1.0.${i}`)).statusCode).toBe(401);
    const limited = await signInAs(app, user.email, PASSWORD, '10.1.0.99');
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', retryAfter });
  });

  it('limits failures per client address across accounts', async () => {
    const limitedApp = await identityApp(database, temporal, {
      signIn: { maxPerAccount: 100, maxPerIp: 3, windowMs: 15 * 60_000 },
    });
    try {
      for (let i = 0; i < 3; i++)
        expect(
          (await signInAs(limitedApp, `nobody-${i}@example.com`, 'whatever-pass', '10.2.0.1')).statusCode,
        ).toBe(401);
      const limited = await signInAs(limitedApp, 'someone@example.com', 'whatever-pass', '10.2.0.1');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(
        (await signInAs(limitedApp, 'someone@example.com', 'whatever-pass', '10.2.0.2')).statusCode,
      ).toBe(401);
    } finally {
      await limitedApp.close();
    }
  });

  it('ends a session idle longer than the idle limit, and any session past its absolute expiry', async () => {
    const user = await member(database, workspace.id, 'analyst');
    const settings = { sessionIdleMs: 12 * 3_600_000, sessionMaxMs: 14 * 86_400_000 };
    const start = new Date('2026-01-01T08:00:00Z');
    const idle = await createSession(database.db, settings, {
      userId: user.id,
      workspaceId: workspace.id,
      now: start,
    });
    // Active every 11 hours: alive; then 13 hours of silence: gone.
    expect(
      await resolveSession(database.db, settings, idle.token, new Date('2026-01-01T19:00:00Z')),
    ).toBeDefined();
    expect(
      await resolveSession(database.db, settings, idle.token, new Date('2026-01-02T06:00:00Z')),
    ).toBeDefined();
    expect(
      await resolveSession(database.db, settings, idle.token, new Date('2026-01-02T19:00:01Z')),
    ).toBeUndefined();
    expect(
      await resolveSession(database.db, settings, idle.token, new Date('2026-01-02T06:00:01Z')),
    ).toBeUndefined();

    const busy = await createSession(database.db, settings, {
      userId: user.id,
      workspaceId: workspace.id,
      now: start,
    });
    let at = start.getTime();
    while (at < start.getTime() + 13 * 86_400_000) {
      at += 10 * 3_600_000;
      expect(await resolveSession(database.db, settings, busy.token, new Date(at))).toBeDefined();
    }
    expect(
      await resolveSession(database.db, settings, busy.token, new Date(start.getTime() + 14 * 86_400_000)),
    ).toBeUndefined();
  });

  it('answers an expired session with 401 session_expired', async () => {
    const user = await member(database, workspace.id, 'marketer');
    const browser = await signIn(app, user.email);
    await database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - 13 * 3_600_000) })
      .where(eq(sessions.userId, user.id));
    const response = await browser.call('GET', '/v1/journeys');
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('session_expired');
  });

  it('signs out one browser, or every browser of the user', async () => {
    const user = await member(database, workspace.id, 'marketer');
    const [laptop, phone, tablet] = [
      await signIn(app, user.email),
      await signIn(app, user.email),
      await signIn(app, user.email),
    ];
    const out = await laptop.call('POST', '/v1/auth/sign-out');
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'wayline_session')?.value).toBe('');
    expect((await laptop.call('GET', '/v1/auth/me')).statusCode).toBe(401);
    expect((await phone.call('GET', '/v1/auth/me')).statusCode).toBe(200);
    expect((await phone.call('POST', '/v1/auth/sign-out-everywhere')).statusCode).toBe(204);
    expect((await phone.call('GET', '/v1/auth/me')).statusCode).toBe(401);
    expect((await tablet.call('GET', '/v1/journeys')).statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated write without the CSRF token, and changes nothing', async () => {
    const user = await member(database, workspace.id, 'marketer');
    const browser = await signIn(app, user.email);
    const graph = { name: 'CSRF', nodes: [{ id: 'start', type: 'trigger.manual', config: {} }], edges: [] };
    const missing = await browser.call('POST', '/v1/journeys', graph, { 'x-csrf-token': '' });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.code).toBe('csrf_failed');
    const wrong = await browser.call('POST', '/v1/journeys', graph, { 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.statusCode).toBe(403);
    expect((await browser.call('GET', '/v1/journeys')).json().data).toEqual([]);
    const right = await browser.call('POST', '/v1/journeys', graph);
    expect(right.statusCode).toBe(201);
  });

  it('exempts bearer-key requests from CSRF and limits them to their scopes', async () => {
    const read = await issueApiKey(database.db, {
      workspaceId: workspace.id,
      name: 'reader',
      scopes: ['read'],
    });
    const write = await issueApiKey(database.db, {
      workspaceId: workspace.id,
      name: 'writer',
      scopes: ['write'],
    });
    const admin = await issueApiKey(database.db, {
      workspaceId: workspace.id,
      name: 'admin',
      scopes: ['admin'],
    });
    const graph = { name: 'By key', nodes: [{ id: 'start', type: 'trigger.manual', config: {} }], edges: [] };
    expect(
      (await app.inject({ method: 'GET', url: '/v1/journeys', headers: bearer(read.key) })).statusCode,
    ).toBe(200);
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/journeys',
      payload: graph,
      headers: bearer(read.key),
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({ code: 'forbidden', permission: 'journeys:write' });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/journeys', payload: graph, headers: bearer(write.key) }))
        .statusCode,
    ).toBe(201);
    const secret = await app.inject({
      method: 'PUT',
      url: '/v1/secrets/TOKEN',
      payload: { value: 'x' },
      headers: bearer(write.key),
    });
    expect(secret.json().error).toMatchObject({ permission: 'secrets:manage' });
    expect(
      (await app.inject({ method: 'GET', url: '/v1/members', headers: bearer(admin.key) })).statusCode,
    ).toBe(200);
    const ingest = await issueApiKey(database.db, {
      workspaceId: workspace.id,
      name: 'ingest',
      scopes: ['ingest'],
    });
    expect(
      (await app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(ingest.key) })).statusCode,
    ).toBe(401);
  });

  it('switches the active workspace only to one the user belongs to', async () => {
    const user = await member(database, workspace.id, 'marketer');
    const second = await createWorkspace(database.db, 'Second');
    const stranger = await createWorkspace(database.db, 'Stranger');
    const { addMember } = await import('../../../engine/identity/memberships');
    await addMember(database.db, second.id, user.id, 'analyst');
    const browser = await signIn(app, user.email);
    const switched = await browser.call('POST', '/v1/auth/workspace', { workspaceId: second.id });
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ workspaceId: second.id, role: 'analyst' });
    const me = (await browser.call('GET', '/v1/auth/me')).json();
    expect(me).toMatchObject({ workspaceId: second.id, role: 'analyst' });
    expect(me.workspaces.map((w: { name: string }) => w.name).sort()).toEqual(['Acme', 'Second']);
    const graph = { name: 'x', nodes: [{ id: 'start', type: 'trigger.manual', config: {} }], edges: [] };
    expect((await browser.call('POST', '/v1/journeys', graph)).statusCode).toBe(403);
    expect((await browser.call('POST', '/v1/auth/workspace', { workspaceId: stranger.id })).statusCode).toBe(
      404,
    );
    expect((await browser.call('GET', '/v1/auth/me')).json().workspaceId).toBe(second.id);
  });
});
