import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { apiKeys, auditLog, users } from '../../../db/schema';
import {
  authenticateApiKey,
  authenticateKey,
  issueApiKey,
  listApiKeys,
} from '../../../engine/identity/api-keys';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import { identityApp, member, signIn } from './identity-app';

describe.each(databaseKinds())('API keys (Fastify inject, real Temporal client, %s)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;
  let other: NewWorkspace;

  beforeAll(async () => {
    stack = await apiStack({ kind });
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Main');
    other = await createWorkspace(database.db, 'Other');
  });
  afterAll(() => stack?.close());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: unknown) =>
    app.inject({ method, url, headers: bearer(key), payload: payload as never });
  const keyIdOf = async (key: string) =>
    (
      await database.db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.prefix, key.slice(0, 10)))
    )[0].id;

  it('gives the keys of a new workspace scopes: the secret key read/write/admin, the write key ingest', async () => {
    const listed = await listApiKeys(database.db, workspace.id);
    expect(listed.map((k) => [k.kind, k.scopes])).toEqual(
      expect.arrayContaining([
        ['secret', ['read', 'write', 'admin']],
        ['write', ['ingest']],
      ]),
    );
  });

  it('shows a created key once and lists it afterwards by prefix, never the key itself', async () => {
    const created = await call('POST', '/v1/api-keys', workspace.secretKey, {
      name: 'CRM sync',
      scopes: ['write', 'read'],
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ name: 'CRM sync', kind: 'secret', scopes: ['read', 'write'] });
    expect(body.key).toMatch(/^wl_sk_/);
    expect(body.prefix).toBe(body.key.slice(0, 10));

    const listed = await call('GET', '/v1/api-keys', workspace.secretKey);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(body.key);
    expect(listed.body).not.toContain('keyHash');
    const entry = listed.json().data.find((k: { id: string }) => k.id === body.id);
    expect(entry).toMatchObject({
      name: 'CRM sync',
      prefix: body.prefix,
      scopes: ['read', 'write'],
      createdBy: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    const rows = await database.db.select().from(apiKeys).where(eq(apiKeys.id, body.id));
    expect(JSON.stringify(rows)).not.toContain(body.key);

    // The new key works, and the other workspace sees nothing of it.
    expect((await call('GET', '/v1/journeys', body.key)).statusCode).toBe(200);
    const foreign = await call('GET', '/v1/api-keys', other.secretKey);
    expect(foreign.json().data.map((k: { id: string }) => k.id)).not.toContain(body.id);
  });

  it('records the creation in the audit log with the key that made it as actor', async () => {
    const created = (
      await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'Audited', scopes: ['read'] })
    ).json();
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.objectId} = ${created.id} and ${auditLog.action} = 'api-key.create'`);
    expect(row).toMatchObject({
      workspaceId: workspace.id,
      actorType: 'api-key',
      actorId: await keyIdOf(workspace.secretKey),
      actorLabel: workspace.secretKey.slice(0, 10),
      objectType: 'api-key',
      outcome: 'success',
      ip: '127.0.0.1',
      change: { name: 'Audited', prefix: created.prefix, scopes: ['read'] },
    });
  });

  it('makes an ingest-only key a tracking write key that the REST API refuses', async () => {
    const created = (
      await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'Website', scopes: ['ingest'] })
    ).json();
    expect(created).toMatchObject({ kind: 'write', scopes: ['ingest'] });
    expect(created.key).toMatch(/^wl_wk_/);
    expect(await authenticateKey(database.db, created.key, 'write')).toBe(workspace.id);
    expect((await call('GET', '/v1/journeys', created.key)).statusCode).toBe(401);
  });

  it('refuses key management to a key without the admin scope, and logs the refusal', async () => {
    const readOnly = (
      await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'Reader', scopes: ['read'] })
    ).json();
    const denied = await call('POST', '/v1/api-keys', readOnly.key, { name: 'Escalate', scopes: ['admin'] });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.permission).toBe('keys:manage');
    expect((await call('GET', '/v1/api-keys', readOnly.key)).statusCode).toBe(403);
    const names = (await listApiKeys(database.db, workspace.id)).map((k) => k.name);
    expect(names).not.toContain('Escalate');
    const refusals = await database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.outcome} = 'denied' and ${auditLog.actorId} = ${readOnly.id}`);
    expect(refusals.length).toBeGreaterThan(0);
  });

  it('lets no key mint a key that can do more than itself', async () => {
    const adminOnly = (
      await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'Admin only', scopes: ['admin'] })
    ).json();
    const escalate = await call('POST', '/v1/api-keys', adminOnly.key, { name: 'Editor', scopes: ['write'] });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error).toMatchObject({
      code: 'scope_exceeds_creator',
      permission: 'journeys:write',
    });
    expect((await listApiKeys(database.db, workspace.id)).map((k) => k.name)).not.toContain('Editor');
    const [denied] = await database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.outcome} = 'denied' and ${auditLog.actorId} = ${adminOnly.id}`);
    expect(denied).toMatchObject({ action: 'api-key.create', change: { name: 'Editor', scopes: ['write'] } });

    const reader = await call('POST', '/v1/api-keys', adminOnly.key, { name: 'Reader', scopes: ['read'] });
    expect(reader.statusCode).toBe(201);
  });

  it('names the field of a bad request and creates nothing', async () => {
    const before = (await listApiKeys(database.db, workspace.id)).length;
    const empty = await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'x', scopes: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.field).toBe('body.scopes');
    const unknown = await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'x', scopes: ['root'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.field).toMatch(/^body\.scopes/);
    const nameless = await call('POST', '/v1/api-keys', workspace.secretKey, { name: ' ', scopes: ['read'] });
    expect(nameless.statusCode).toBe(400);
    expect((await listApiKeys(database.db, workspace.id)).length).toBe(before);
  });

  it('revokes a key at once: it answers 401 from then on and stays listed as revoked', async () => {
    const created = (
      await call('POST', '/v1/api-keys', workspace.secretKey, { name: 'Short-lived', scopes: ['read'] })
    ).json();
    expect((await call('GET', '/v1/journeys', created.key)).statusCode).toBe(200);

    expect((await call('DELETE', `/v1/api-keys/${created.id}`, other.secretKey)).statusCode).toBe(404);
    const revoked = await call('DELETE', `/v1/api-keys/${created.id}`, workspace.secretKey);
    expect(revoked.statusCode).toBe(204);
    const refused = await call('GET', '/v1/journeys', created.key);
    expect(refused.statusCode).toBe(401);
    expect(await authenticateApiKey(database.db, created.key)).toBeUndefined();

    const entry = (await call('GET', '/v1/api-keys', workspace.secretKey))
      .json()
      .data.find((k: { id: string }) => k.id === created.id);
    expect(entry.revokedAt).not.toBeNull();
    expect((await call('DELETE', `/v1/api-keys/${created.id}`, workspace.secretKey)).statusCode).toBe(409);
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.objectId} = ${created.id} and ${auditLog.action} = 'api-key.revoke'`);
    expect(row.actorId).toBe(await keyIdOf(workspace.secretKey));
  });

  it('marks a key used, writing lastUsedAt at most once a minute', async () => {
    const created = await issueApiKey(database.db, {
      workspaceId: workspace.id,
      name: 'Busy',
      scopes: ['read'],
    });
    const lastUsed = async () =>
      (await database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id)))[0].lastUsedAt;
    expect(await lastUsed()).toBeNull();

    expect(await authenticateApiKey(database.db, created.key)).toMatchObject({
      workspaceId: workspace.id,
      keyId: created.id,
      prefix: created.prefix,
      scopes: ['read'],
    });
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect((await call('GET', '/v1/journeys', created.key)).statusCode).toBe(200);
    expect((await lastUsed())?.getTime()).toBe(first?.getTime());

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await database.db.update(apiKeys).set({ lastUsedAt: twoMinutesAgo }).where(eq(apiKeys.id, created.id));
    expect((await call('GET', '/v1/journeys', created.key)).statusCode).toBe(200);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });

  it("lists the creating user's email", async () => {
    const [user] = await database.db.insert(users).values({ email: 'dev@example.com' }).returning();
    const created = await issueApiKey(database.db, {
      workspaceId: workspace.id,
      name: 'By a person',
      scopes: ['read', 'write'],
      createdBy: user.id,
    });
    const entry = (await listApiKeys(database.db, workspace.id)).find((k) => k.id === created.id);
    expect(entry?.createdBy).toEqual({ id: user.id, email: 'dev@example.com' });
  });
});

describe('API keys made by signed-in people (Fastify inject, real Temporal client, PGlite)', () => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    stack = await apiStack({ app: identityApp });
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'People');
  });
  afterAll(() => stack?.close());

  it('lists the creator, logs the user as actor, and refuses a developer an admin key', async () => {
    const developer = await member(database, workspace.id, 'developer', 'dev@people.example');
    const browser = await signIn(app, developer.email);
    const created = await browser.call('POST', '/v1/api-keys', { name: 'Site', scopes: ['ingest'] });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();

    const listed = (await browser.call('GET', '/v1/api-keys')).json().data;
    expect(listed.find((k: { id: string }) => k.id === id).createdBy).toEqual({
      id: developer.id,
      email: 'dev@people.example',
    });
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.objectId} = ${id} and ${auditLog.action} = 'api-key.create'`);
    expect(row).toMatchObject({ actorType: 'user', actorId: developer.id, actorLabel: 'dev@people.example' });

    const escalate = await browser.call('POST', '/v1/api-keys', { name: 'Root', scopes: ['admin'] });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error.code).toBe('scope_exceeds_creator');
    expect((await listApiKeys(database.db, workspace.id)).map((k) => k.name)).not.toContain('Root');
  });
});
