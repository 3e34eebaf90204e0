import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../../../db/schema';
import { cachedKey, forgetKey, KEY_CACHE_MS } from '../../../../engine/identity/key-cache';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../../helpers/app';
import { databaseKinds } from '../../../helpers/databases';
import { post } from './ingest-harness';

/**
 * Tracking requests find their write key in a cache of this process: revoking a key through the
 * API must stop it at once all the same, and a key revoked elsewhere (another process: here
 * straight in the database) stops within `KEY_CACHE_MS`.
 */
describe.each(databaseKinds())('write keys remembered by the tracking API (%s)', (kind) => {
  let stack: ApiStack;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    stack = await apiStack({ kind });
    workspace = await createWorkspace(stack.database.db, `Keys ${randomUUID().slice(0, 8)}`);
  });
  afterAll(async () => stack?.close());

  const track = (key: string) =>
    post(stack.app, '/v1/track', key, { userId: 'u-1', event: 'Viewed', messageId: randomUUID() });
  /** A valid write key as the database would answer it (for the cache alone: not stored). */
  const aKey = (prefix: string) => ({
    workspaceId: workspace.id,
    keyId: randomUUID(),
    kind: 'write' as const,
    prefix,
    scopes: ['ingest' as const],
  });
  const newWriteKey = async (name: string) => {
    const answer = await stack.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(workspace.secretKey),
      payload: { name, scopes: ['ingest'] },
    });
    expect(answer.statusCode).toBe(201);
    return answer.json() as { id: string; key: string };
  };

  it('refuses a key revoked through the API on the very next request, though it was remembered', async () => {
    const key = await newWriteKey('Website');
    // Twice: the second answer comes from the cache.
    for (let i = 0; i < 2; i += 1) expect([200, 202]).toContain((await track(key.key)).statusCode);
    const revoked = await stack.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${key.id}`,
      headers: bearer(workspace.secretKey),
    });
    expect(revoked.statusCode).toBe(204);
    const refused = await track(key.key);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.field).toBe('writeKey');
    // Other keys of the workspace are unaffected.
    expect([200, 202]).toContain((await track(workspace.writeKey)).statusCode);
  });

  it('remembers a valid key for a few seconds: a revocation written elsewhere is seen when that runs out', {
    timeout: 20_000,
  }, async () => {
    const key = await newWriteKey('App');
    expect([200, 202]).toContain((await track(key.key)).statusCode);
    // Another process revokes it: this process does not know yet and still accepts it.
    await stack.database.db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, key.id), eq(apiKeys.workspaceId, workspace.id)));
    expect([200, 202]).toContain((await track(key.key)).statusCode);
    // Once the remembered answer runs out, this process reads the revocation.
    await new Promise((resolve) => setTimeout(resolve, KEY_CACHE_MS + 100));
    expect((await track(key.key)).statusCode).toBe(401);
  });

  it('does not remember an answer read while the key was being revoked', async () => {
    const db = stack.database.db;
    const hash = `race-${randomUUID()}`;
    const valid = aKey('wl_wk_race');
    let answer: (value: typeof valid) => void = () => {};
    // The lookup read the key before the revocation committed, and answers after it.
    const racing = cachedKey(db, hash, () => new Promise((resolve) => (answer = resolve)));
    forgetKey(db, valid.keyId);
    answer(valid);
    expect(await racing).toEqual(valid);
    // Not remembered: the next request asks again (here: the key is gone).
    expect(await cachedKey(db, hash, async () => undefined)).toBeUndefined();
    // Read with no revocation under way: remembered, the lookup is not asked again.
    expect(await cachedKey(db, hash, async () => valid)).toEqual(valid);
    expect(await cachedKey(db, hash, async () => undefined)).toEqual(valid);
  });

  it('asks the database once for requests arriving while the key is looked up', async () => {
    const db = stack.database.db;
    const valid = aKey('wl_wk_many');
    let lookups = 0;
    let answer: (value: typeof valid) => void = () => {};
    const lookup = () => {
      lookups += 1;
      return new Promise<typeof valid>((resolve) => (answer = resolve));
    };
    const key = `many-${randomUUID()}`;
    const requests = Array.from({ length: 20 }, () => cachedKey(db, key, lookup));
    answer(valid);
    expect(await Promise.all(requests)).toEqual(Array(20).fill(valid));
    expect(lookups).toBe(1);
  });
});
