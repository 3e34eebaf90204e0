import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createDb, type Database } from '../db';
import { buildApp } from './api/app';
import type { Config } from './config';
import { createRegistry } from './nodes';
import type { NodeRegistry } from './sdk/registry';
import { connectWorker, createJourneyWorker } from './temporal/worker';

/** Opens the configured database: a Postgres server when DATABASE_URL is set, else PGlite in the data folder. */
export function openDatabase(config: Config): Promise<Database> {
  return config.DATABASE_URL
    ? createDb({ url: config.DATABASE_URL })
    : createDb({ dataDir: path.join(config.dataDir, 'pglite') });
}

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function runWorker(
  config: Config,
  address: string,
  database: Database,
  registry: NodeRegistry,
): Promise<RunningWorker> {
  const connection: NativeConnection = await connectWorker(address);
  const worker = await createJourneyWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.WAYLINE_TASK_QUEUE,
    db: database.db,
    registry,
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export async function startApi(config: Config, database: Database, temporal: Client, registry: NodeRegistry) {
  const app = await buildApp(
    {
      db: database.db,
      database,
      temporal,
      taskQueue: config.WAYLINE_TASK_QUEUE,
      registry,
      uiDist: path.join(config.root, 'builder-ui', 'dist'),
    },
    { logger: { level: config.LOG_LEVEL } },
  );
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}

export function loadRegistry(): NodeRegistry {
  return createRegistry();
}
