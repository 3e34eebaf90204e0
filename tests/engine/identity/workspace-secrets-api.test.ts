import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { workspaceSecrets } from '../../../db/schema';
import { readSecret } from '../../../engine/identity/workspace-secrets';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { testSecretBox } from '../../helpers/channels';
import { databaseKinds } from '../../helpers/databases';

describe.each(databaseKinds())('secrets API (Fastify inject, real Temporal client, %s)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;
  let other: NewWorkspace;

  beforeAll(async () => {
    process.env.WAYLINE_SECRET_KEY ??= randomBytes(32).toString('hex');
    stack = await apiStack({ kind });
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Main');
    other = await createWorkspace(database.db, 'Other');
  });
  afterAll(() => stack?.close());

  const put = (key: string, name: string, value: unknown) =>
    app.inject({ method: 'PUT', url: `/v1/secrets/${name}`, headers: bearer(key), payload: { value } });

  it('stores a secret encrypted and lists its name, never its value', async () => {
    const saved = await put(workspace.secretKey, 'CRM_TOKEN', 'tok-123-very-secret');
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ name: 'CRM_TOKEN' });
    expect(saved.body).not.toContain('tok-123');

    const listed = await app.inject({
      method: 'GET',
      url: '/v1/secrets',
      headers: bearer(workspace.secretKey),
    });
    expect(listed.json().data.map((s: { name: string }) => s.name)).toEqual(['CRM_TOKEN']);
    expect(listed.body).not.toContain('tok-123');

    const rows = await database.db.select().from(workspaceSecrets);
    expect(rows.map((r) => r.sealedValue).join()).not.toContain('tok-123');
    expect(await readSecret(database.db, testSecretBox, workspace.id, 'CRM_TOKEN')).toBe(
      'tok-123-very-secret',
    );
  });

  it('replaces a value on a second PUT', async () => {
    await put(workspace.secretKey, 'ROTATED', 'first');
    await put(workspace.secretKey, 'ROTATED', 'second');
    expect(await readSecret(database.db, testSecretBox, workspace.id, 'ROTATED')).toBe('second');
  });

  it("keeps one workspace's secrets out of another's reach", async () => {
    await put(workspace.secretKey, 'PRIVATE_KEY', 'mine');
    const listed = await app.inject({ method: 'GET', url: '/v1/secrets', headers: bearer(other.secretKey) });
    expect(listed.json().data).toEqual([]);
    const deleted = await app.inject({
      method: 'DELETE',
      url: '/v1/secrets/PRIVATE_KEY',
      headers: bearer(other.secretKey),
    });
    expect(deleted.statusCode).toBe(404);
    expect(await readSecret(database.db, testSecretBox, other.id, 'PRIVATE_KEY')).toBeUndefined();
  });

  it('deletes a secret', async () => {
    await put(workspace.secretKey, 'SHORT_LIVED', 'x');
    const deleted = await app.inject({
      method: 'DELETE',
      url: '/v1/secrets/SHORT_LIVED',
      headers: bearer(workspace.secretKey),
    });
    expect(deleted.statusCode).toBe(204);
    expect(await readSecret(database.db, testSecretBox, workspace.id, 'SHORT_LIVED')).toBeUndefined();
  });

  it('refuses a bad name or an empty value, naming the field', async () => {
    const badName = await put(workspace.secretKey, '1-bad-name', 'x');
    expect(badName.statusCode).toBe(400);
    expect(badName.json().error.field).toBe('params.name');
    const empty = await put(workspace.secretKey, 'EMPTY', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.field).toBe('body.value');
  });
});
