import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { createRegistry } from '../../../engine/automation/nodes';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { type ChannelDeps, closeChannelDeps } from '../../../engine/messaging/channels/deps';
import { testChannelDeps, testSecretBox } from '../../helpers/channels';
import { type DatabaseKind, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

export interface MessagingApi {
  database: Database;
  temporal: TemporalHarness;
  channels: ChannelDeps;
  app: FastifyInstance;
}

/**
 * The API with channel deps on a fresh database and the Temporal dev server's client (no
 * worker), for the route tests of templates, channels and content in one `describe`.
 */
export function messagingApi(kind: DatabaseKind, publicUrl?: string): MessagingApi {
  const api = {} as MessagingApi;
  beforeAll(async () => {
    api.database = await openTestDb(kind);
    api.temporal = await devServerTemporal();
    api.channels = testChannelDeps(api.database.db, publicUrl);
    api.app = await buildApp({
      db: api.database.db,
      secretBox: testSecretBox,
      database: api.database,
      temporal: api.temporal.client,
      taskQueue: api.temporal.taskQueue,
      registry: createRegistry(),
      channels: api.channels,
    });
  });
  afterAll(async () => {
    await api.app?.close();
    if (api.channels) await closeChannelDeps(api.channels);
    await api.temporal?.close();
    await api.database?.close();
  });
  return api;
}

export type Call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
) => Promise<LightMyRequestResponse>;

/** A new workspace and a caller with its secret key. */
export async function workspaceCaller(api: MessagingApi, name: string) {
  const ws = await createWorkspace(api.database.db, name);
  const call: Call = (method, url, payload) =>
    api.app.inject({
      method,
      url,
      payload: payload as InjectOptions['payload'],
      headers: { authorization: `Bearer ${ws.secretKey}` },
    });
  return { ws, call };
}
