import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db';
import { buildApp } from '../../engine/api/app';
import type { AppDeps } from '../../engine/api/deps';
import { createRegistry } from '../../engine/automation/nodes';
import type { NodeRegistry } from '../../engine/automation/nodes/registry';
import type { Dispatcher } from '../../engine/dispatch/dispatcher';
import { testSecretBox } from './channels';
import { type DatabaseKind, openTestDb } from './databases';
import { devServerTemporal, type TemporalHarness } from './temporal';

/**
 * The API's dependencies in a test: the database, the Temporal client and task queue, the
 * built-in nodes and the test secret box; `extra` adds channels, content storage and the like.
 */
export function appDeps(
  database: Database,
  temporal: TemporalHarness,
  extra: Partial<AppDeps> = {},
): AppDeps {
  return {
    db: database.db,
    database,
    temporal: temporal.client,
    taskQueue: temporal.taskQueue,
    registry: createRegistry(),
    secretBox: testSecretBox,
    ...extra,
  } as AppDeps;
}

/** The real API on real dependencies, for `app.inject`; close it after the test. */
export async function testApp(
  database: Database,
  temporal: TemporalHarness,
  registry: NodeRegistry = createRegistry(),
  dispatcher?: Dispatcher,
): Promise<FastifyInstance> {
  const app = await buildApp(appDeps(database, temporal, { registry, dispatcher }));
  await app.ready();
  return app;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A test database, a Temporal dev server and the API on them, closed together. */
export interface ApiStack {
  database: Database & { url?: string };
  temporal: TemporalHarness;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Opens the database (PGlite unless `kind` says otherwise), starts a Temporal dev server and
 * builds the app on them (`testApp` unless `app` builds another); `close` undoes it in reverse.
 */
export async function apiStack(
  options: {
    kind?: DatabaseKind;
    app?: (database: Database, temporal: TemporalHarness) => Promise<FastifyInstance>;
  } = {},
): Promise<ApiStack> {
  const database = await openTestDb(options.kind);
  let temporal: TemporalHarness | undefined;
  try {
    temporal = await devServerTemporal();
    const app = await (options.app ?? testApp)(database, temporal);
    const started = temporal;
    return {
      database,
      temporal,
      app,
      close: async () => {
        await app.close();
        await started.close();
        await database.close();
      },
    };
  } catch (error) {
    await temporal?.close();
    await database.close();
    throw error;
  }
}
