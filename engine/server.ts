import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createDb, type Database } from '../db';
import { buildApp } from './api/app';
import { createRegistry } from './automation/nodes';
import type { NodeRegistry } from './automation/nodes/registry';
import { ensureSchedules } from './automation/triggers/schedules';
import type { Config } from './config';
import { startDispatcher } from './dispatch/dispatcher';
import { channelDepsFromConfig } from './messaging/channels/deps';
import { loadPlugins } from './plugins/load-plugins';
import { preparePlugins } from './plugins/prepare-plugins';
import { connectWorker, createChannelWorkers, createJourneyWorker } from './temporal/worker';

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
  const workerOptions = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.WAYLINE_TASK_QUEUE,
    db: database.db,
    registry,
  };
  const worker = await createJourneyWorker(workerOptions);
  // Sends run on per-channel task queues, each with its own rate limit.
  const channelWorkers = await createChannelWorkers({
    ...workerOptions,
    rates: config.WAYLINE_SEND_RATES,
    defaultRate: config.WAYLINE_SEND_RATE,
  });
  const all = [worker, ...channelWorkers];
  const running = Promise.all(all.map((w) => w.run()));
  // Date-trigger scans, segment refreshes and scheduled journeys: idempotent, any worker may do it.
  const client = await connectClient(address, config.TEMPORAL_NAMESPACE);
  try {
    await ensureSchedules(client, database.db, { taskQueue: config.WAYLINE_TASK_QUEUE });
  } finally {
    await client.connection.close();
  }
  return {
    worker,
    stop: async () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
    },
  };
}

export async function startApi(
  config: Config,
  database: Database,
  temporal: Client,
  registry: NodeRegistry,
  demoKey?: string,
) {
  const app = await buildApp(
    {
      db: database.db,
      database,
      temporal,
      taskQueue: config.WAYLINE_TASK_QUEUE,
      registry,
      uiDist: path.join(config.root, 'builder-ui', 'dist'),
      demoKey,
      channels: channelDepsFromConfig(config, database.db),
    },
    { logger: { level: config.LOG_LEVEL } },
  );
  // Delivers tracked events to journeys (right after commit, and retries from the outbox).
  const dispatcher = startDispatcher(
    { db: database.db, temporal, taskQueue: config.WAYLINE_TASK_QUEUE },
    { log: app.log },
  );
  app.addHook('onClose', () => dispatcher.stop());
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}

/** Built-in nodes plus the plugins of WAYLINE_PLUGINS and installed packages; runs their setup hooks. */
export async function loadRegistry(config: Config, db?: Database['db']): Promise<NodeRegistry> {
  const plugins = await loadPlugins(config.WAYLINE_PLUGINS, { root: config.root });
  // With a database the registry can execute sends (workers); without, it only validates.
  const registry = createRegistry(plugins.nodes, db ? { channels: channelDepsFromConfig(config, db) } : {});
  if (db) await preparePlugins(db, plugins);
  return registry;
}
