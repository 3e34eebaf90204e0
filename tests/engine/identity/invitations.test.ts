import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { auditLog, memberships, userTokens } from '../../../db/schema';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import { browserOf, identityApp, member, PASSWORD, signIn } from './identity-app';

/** The newest email the dev outbox captured for a recipient, and the token of its link. */
async function mailTo(app: FastifyInstance, key: string, recipient: string) {
  const outbox = await app.inject({
    method: 'GET',
    url: '/v1/dev/outbox?channel=email',
    headers: bearer(key),
  });
  const email = outbox.json().data.find((m: { recipient: string }) => m.recipient === recipient);
  const token = /token=([\w-]+)/.exec(email?.text ?? '')?.[1];
  return { email, token };
}

describe.each(databaseKinds())(
  'password reset, invitations and membership (Fastify inject, dev outbox, %s)',
  (kind) => {
    let database: Database;
    let stack: ApiStack;
    let app: FastifyInstance;
    let workspace: NewWorkspace;

    beforeAll(async () => {
      stack = await apiStack({
        kind,
        app: (d, t) => identityApp(d, t, { publicUrl: 'https://wayline.example.com' }),
      });
      ({ database, app } = stack);
      workspace = await createWorkspace(database.db, 'Acme');
    });
    afterAll(() => stack?.close());

    it('resets a password with the emailed one-time link, signs out everywhere, and refuses a second use', async () => {
      const user = await member(database, workspace.id, 'marketer', 'grace@example.com');
      const before = await signIn(app, user.email);
      const asked = await app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset',
        payload: { email: 'Grace@example.com' },
      });
      expect(asked.statusCode).toBe(202);
      const { email, token } = await mailTo(app, workspace.secretKey, 'grace@example.com');
      expect(email.subject).toMatch(/reset/i);
      expect(email.text).toContain('https://wayline.example.com/reset-password?token=');
      const weak = await app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset/confirm',
        payload: { token, password: 'password123' },
      });
      expect(weak.statusCode).toBe(400);
      const confirmed = await app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset/confirm',
        payload: { token, password: 'a brand new passphrase' },
      });
      expect(confirmed.statusCode).toBe(204);
      expect((await before.call('GET', '/v1/auth/me')).statusCode).toBe(401);
      const again = await app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset/confirm',
        payload: { token, password: 'yet another passphrase' },
      });
      expect(again.statusCode).toBe(400);
      expect(again.json().error.code).toBe('token_invalid');
      await expect(signIn(app, user.email)).rejects.toThrow(/401/);
      expect((await signIn(app, user.email, 'a brand new passphrase')).csrf).toBeTruthy();
    });

    it('answers 202 for an unknown email and sends nothing (no account enumeration)', async () => {
      const asked = await app.inject({
        method: 'POST',
        url: '/v1/auth/password-reset',
        payload: { email: 'nobody@example.com' },
      });
      expect(asked.statusCode).toBe(202);
      expect((await mailTo(app, workspace.secretKey, 'nobody@example.com')).email).toBeUndefined();
    });

    it('invites by email; the invitee accepts with a password, is signed in with the role, and the link works once', async () => {
      const owner = await member(database, workspace.id, 'owner');
      const admin = await signIn(app, owner.email);
      const invited = await admin.call('POST', '/v1/invitations', {
        email: 'Linus@Example.com',
        role: 'analyst',
      });
      expect(invited.statusCode).toBe(201);
      expect(invited.json()).toMatchObject({ email: 'linus@example.com', role: 'analyst' });
      const days = (new Date(invited.json().expiresAt).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect((await admin.call('GET', '/v1/invitations')).json().data).toHaveLength(1);
      const { token } = await mailTo(app, workspace.secretKey, 'linus@example.com');
      const weak = await app.inject({
        method: 'POST',
        url: '/v1/invitations/accept',
        payload: { token, password: 'short' },
      });
      expect(weak.statusCode).toBe(400);
      const accepted = await app.inject({
        method: 'POST',
        url: '/v1/invitations/accept',
        payload: { token, name: 'Linus', password: PASSWORD },
      });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toMatchObject({
        workspaceId: workspace.id,
        role: 'analyst',
        user: { email: 'linus@example.com' },
      });
      const linus = browserOf(app, accepted);
      expect((await linus.call('GET', '/v1/auth/me')).json().role).toBe('analyst');
      const members = (await admin.call('GET', '/v1/members')).json().data;
      expect(members.map((m: { email: string }) => m.email)).toContain('linus@example.com');
      expect((await admin.call('GET', '/v1/invitations')).json().data).toHaveLength(0);
      const twice = await app.inject({
        method: 'POST',
        url: '/v1/invitations/accept',
        payload: { token, password: PASSWORD },
      });
      expect(twice.statusCode).toBe(400);
      const joined = await database.db.select().from(auditLog).where(eq(auditLog.action, 'member.join'));
      expect(joined.length).toBeGreaterThan(0);
    });

    it('refuses an expired invitation and adds no member', async () => {
      const owner = await member(database, workspace.id, 'owner');
      const admin = await signIn(app, owner.email);
      const invited = (
        await admin.call('POST', '/v1/invitations', { email: 'late@example.com', role: 'sales' })
      ).json();
      const { token } = await mailTo(app, workspace.secretKey, 'late@example.com');
      await database.db
        .update(userTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(userTokens.id, invited.id));
      const accepted = await app.inject({
        method: 'POST',
        url: '/v1/invitations/accept',
        payload: { token, password: PASSWORD },
      });
      expect(accepted.statusCode).toBe(400);
      expect(accepted.json().error.code).toBe('token_invalid');
      expect(
        (await admin.call('GET', '/v1/members')).json().data.map((m: { email: string }) => m.email),
      ).not.toContain('late@example.com');
    });

    it('lets an existing user accept while signed in, joining a second workspace', async () => {
      const other = await createWorkspace(database.db, 'Other');
      const otherOwner = await member(database, other.id, 'owner');
      const user = await member(database, workspace.id, 'support', 'mia@example.com');
      const inviter = await signIn(app, otherOwner.email);
      await inviter.call('POST', '/v1/invitations', { email: 'mia@example.com', role: 'marketer' });
      const { token } = await mailTo(app, other.secretKey, 'mia@example.com');
      const mia = await signIn(app, user.email);
      const accepted = await mia.call('POST', '/v1/invitations/accept', { token });
      expect(accepted.statusCode).toBe(200);
      expect(
        accepted
          .json()
          .workspaces.map((w: { name: string }) => w.name)
          .sort(),
      ).toEqual(['Acme', 'Other']);
    });

    it('keeps the last owner: cannot be demoted nor removed; owners change roles and remove members', async () => {
      const team = await createWorkspace(database.db, 'Team');
      const owner = await member(database, team.id, 'owner');
      const adminUser = await member(database, team.id, 'admin');
      const marketer = await member(database, team.id, 'marketer');
      const browser = await signIn(app, owner.email);
      await browser.call('POST', '/v1/auth/workspace', { workspaceId: team.id });

      const demote = await browser.call('PATCH', `/v1/members/${owner.id}`, { role: 'admin' });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error.code).toBe('last_owner');
      const leave = await browser.call('DELETE', `/v1/members/${owner.id}`);
      expect(leave.statusCode).toBe(409);

      const promoted = await browser.call('PATCH', `/v1/members/${marketer.id}`, { role: 'analyst' });
      expect(promoted.statusCode).toBe(200);
      expect(promoted.json()).toMatchObject({ userId: marketer.id, role: 'analyst' });

      // An admin manages members but cannot make or unmake owners.
      const adminBrowser = await signIn(app, adminUser.email);
      await adminBrowser.call('POST', '/v1/auth/workspace', { workspaceId: team.id });
      const grab = await adminBrowser.call('PATCH', `/v1/members/${adminUser.id}`, { role: 'owner' });
      expect(grab.statusCode).toBe(403);

      // With a second owner, the first may leave.
      expect((await browser.call('PATCH', `/v1/members/${adminUser.id}`, { role: 'owner' })).statusCode).toBe(
        200,
      );
      expect((await browser.call('DELETE', `/v1/members/${marketer.id}`)).statusCode).toBe(204);
      expect((await browser.call('DELETE', `/v1/members/${owner.id}`)).statusCode).toBe(204);
      const left = await database.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.workspaceId, team.id), eq(memberships.userId, owner.id)));
      expect(left).toEqual([]);
      // The session no longer acts in the workspace it left.
      expect((await browser.call('GET', '/v1/journeys')).statusCode).toBe(403);
    });

    it('creates a workspace with the creator as owner', async () => {
      const user = await member(database, workspace.id, 'sales');
      const browser = await signIn(app, user.email);
      const created = await browser.call('POST', '/v1/workspaces', { name: 'My own' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ name: 'My own', role: 'owner' });
      const list = (await browser.call('GET', '/v1/workspaces')).json().data;
      expect(list.map((w: { name: string; role: string }) => `${w.name}:${w.role}`).sort()).toEqual([
        'Acme:sales',
        'My own:owner',
      ]);
    });
  },
);
