import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';

describe('workspace settings: the default time zone (real API via inject, PGlite)', () => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    stack = await apiStack();
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Zoned');
  });
  afterAll(() => stack?.close());

  const call = (method: 'GET' | 'PUT', payload?: unknown) =>
    app.inject({
      method,
      url: '/v1/workspace/settings',
      payload: payload as never,
      headers: bearer(workspace.secretKey),
    });

  it('reads and sets the default time zone, refusing one that is not IANA with the field named', async () => {
    expect((await call('GET')).json()).toMatchObject({
      id: workspace.id,
      name: 'Zoned',
      defaultTimezone: 'UTC',
    });
    const changed = await call('PUT', { defaultTimezone: 'Europe/Paris' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().defaultTimezone).toBe('Europe/Paris');
    const refused = await call('PUT', { defaultTimezone: 'Mars/Olympus' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.field).toBe('defaultTimezone');
    expect((await call('GET')).json().defaultTimezone).toBe('Europe/Paris');
  });
});
