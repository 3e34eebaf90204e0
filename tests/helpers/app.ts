import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db';
import { buildApp } from '../../engine/api/app';
import { createRegistry } from '../../engine/automation/nodes';
import type { NodeRegistry } from '../../engine/automation/nodes/registry';
import type { Dispatcher } from '../../engine/dispatch/dispatcher';
import { testSecretBox } from './channels';
import type { TemporalHarness } from './temporal';

/** The real API on real dependencies, for `app.inject`; close it after the test. */
export async function testApp(
  database: Database,
  temporal: TemporalHarness,
  registry: NodeRegistry = createRegistry(),
  dispatcher?: Dispatcher,
): Promise<FastifyInstance> {
  const app = await buildApp({
    db: database.db,
    database,
    temporal: temporal.client,
    taskQueue: temporal.taskQueue,
    registry,
    secretBox: testSecretBox,
    dispatcher,
  });
  await app.ready();
  return app;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
