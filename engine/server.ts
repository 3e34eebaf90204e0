import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createDb, type Database } from '../db';
import { buildApp } from './api/app';
import { securitySettingsFromConfig } from './api/security';
import { createRegistry } from './automation/nodes';
import type { NodeRegistry } from './automation/nodes/registry';
import { ensureSchedules } from './automation/triggers/schedules';
import type { Config } from './config';
import { ensureSocialEngagementSchedule } from './content/social-schedule';
import { type ContentDeps, localStorage, s3Storage } from './content/storage';
import { startDispatcher } from './dispatch/dispatcher';
import { SecretBox } from './identity/secret-box';
import { identitySettingsFromConfig } from './identity/settings';
import { type ChannelDeps, closeChannelDeps, createChannelDeps } from './messaging/channels/deps';
import { loadPlugins } from './plugins/load-plugins';
import { preparePlugins } from './plugins/prepare-plugins';
import { registerPluginConnectors } from './plugins/register-connectors';
import { resolveSecretKey } from './secret-key';
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

/**
 * Everything a process builds once and passes down: the database, the one secret box (provider,
 * hook and node secrets, tracking links), the channel dependencies and the node registry.
 */
export interface Runtime {
  config: Config;
  database: Database;
  secretBox: SecretBox;
  channels: ChannelDeps;
  registry: NodeRegistry;
}

/** The composition root: resolves the secret key once and builds the registry on the same channel deps. */
export async function composeRuntime(config: Config, database: Database): Promise<Runtime> {
  const secretBox = new SecretBox(resolveSecretKey(config));
  const channels = createChannelDeps({ db: database.db, box: secretBox, publicUrl: config.publicUrl });
  const plugins = await loadPlugins(config.WAYLINE_PLUGINS, { root: config.root });
  const registry = createRegistry(plugins.nodes, { channels });
  registerPluginConnectors(plugins.connectors);
  await preparePlugins(database.db, plugins);
  return { config, database, secretBox, channels, registry };
}

export interface RunningWorker {
  worker: Worker;
  /** The workers' connection: a client on it may start runs eagerly (`TemporalDeps.eagerStarter`). */
  connection: NativeConnection;
  /** The state of each Temporal worker of this process (the journey queue's, then each channel's). */
  states(): string[];
  stop(): Promise<void>;
}

export async function runWorker(runtime: Runtime, address: string): Promise<RunningWorker> {
  const { config, database } = runtime;
  const connection: NativeConnection = await connectWorker(address);
  const workerOptions = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.WAYLINE_TASK_QUEUE,
    db: database.db,
    registry: runtime.registry,
    secretBox: runtime.secretBox,
  };
  const worker = await createJourneyWorker({
    ...workerOptions,
    channels: runtime.channels,
    // A bundle built at image build time makes a restarted worker poll sooner.
    ...(config.WAYLINE_WORKFLOW_BUNDLE
      ? { workflowBundle: { codePath: path.resolve(config.root, config.WAYLINE_WORKFLOW_BUNDLE) } }
      : {}),
  });
  // Sends run on per-channel task queues, each with its own rate limit.
  const channelWorkers = await createChannelWorkers({
    ...workerOptions,
    rates: config.WAYLINE_SEND_RATES,
    defaultRate: config.WAYLINE_SEND_RATE,
  });
  const all = [worker, ...channelWorkers];
  const running = Promise.all(all.map((w) => w.run()));
  // Date-trigger scans, segment refreshes and scheduled journeys: idempotent, any worker may do it.
  // A busy Temporal can refuse it for a moment (seen: NamespaceNotFound from a loaded dev server);
  // the pollers already run, so try again a few times before giving up on start-up.
  for (let attempt = 1; ; attempt += 1) {
    try {
      const client = await connectClient(address, config.TEMPORAL_NAMESPACE);
      try {
        await ensureSchedules(client, database.db, { taskQueue: config.WAYLINE_TASK_QUEUE });
        await ensureSocialEngagementSchedule(client, config.WAYLINE_TASK_QUEUE);
      } finally {
        await client.connection.close();
      }
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      console.warn(`Schedules not ensured yet (attempt ${attempt}): ${(error as Error).message}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** (attempt - 1)));
    }
  }
  return {
    worker,
    connection,
    states: () => all.map((w) => w.getState()),
    stop: async () => {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
      await closeChannelDeps(runtime.channels);
    },
  };
}

/**
 * `demoUserId`: the embedded `npm start` signs a loopback browser in as the demo owner
 * (WAYLINE_DEMO_AUTOLOGIN). `eagerStarter`: a client on the connection of this process's
 * workers, through which the dispatcher starts event-triggered runs eagerly.
 */
export async function startApi(
  runtime: Runtime,
  temporal: Client,
  demo: { demoUserId?: string; eagerStarter?: Client } = {},
) {
  const { config, database } = runtime;
  const logger = pino({ level: config.LOG_LEVEL });
  const temporalDeps = { db: database.db, temporal, taskQueue: config.WAYLINE_TASK_QUEUE };
  // Delivers tracked events to journeys (right after commit, and retries from the outbox).
  const dispatcher = startDispatcher(
    demo.eagerStarter ? { ...temporalDeps, eagerStarter: demo.eagerStarter } : temporalDeps,
    { log: logger, retentionMs: config.WAYLINE_OUTBOX_RETENTION_HOURS * 3_600_000 },
  );
  const app = await buildApp(
    {
      ...temporalDeps,
      database,
      registry: runtime.registry,
      secretBox: runtime.secretBox,
      dispatcher,
      uiDist: path.join(config.root, 'builder-ui', 'dist'),
      channels: runtime.channels,
      identity: {
        ...identitySettingsFromConfig(config),
        demoAutologin: demo.demoUserId ? { userId: demo.demoUserId } : undefined,
      },
      security: securitySettingsFromConfig(config),
      content: contentDepsFromConfig(config),
    },
    { loggerInstance: logger },
  );
  app.addHook('onClose', () => dispatcher.stop());
  await app.listen({ host: config.HOST, port: config.PORT });
  return app;
}

/** Built-in nodes plus the plugins of WAYLINE_PLUGINS and installed packages, for validation only. */
export async function loadRegistry(config: Config): Promise<NodeRegistry> {
  const plugins = await loadPlugins(config.WAYLINE_PLUGINS, { root: config.root });
  return createRegistry(plugins.nodes);
}

/** Asset storage: the S3 bucket when WAYLINE_S3_BUCKET is set, else `assets/` in the data folder. */
export function contentDepsFromConfig(config: Config): ContentDeps {
  const storage = config.WAYLINE_S3_BUCKET
    ? s3Storage({
        bucket: config.WAYLINE_S3_BUCKET,
        endpoint: config.WAYLINE_S3_ENDPOINT,
        region: config.WAYLINE_S3_REGION,
        accessKeyId: config.WAYLINE_S3_ACCESS_KEY_ID,
        secretAccessKey: config.WAYLINE_S3_SECRET_ACCESS_KEY,
        forcePathStyle: config.WAYLINE_S3_FORCE_PATH_STYLE,
        prefix: config.WAYLINE_S3_PREFIX,
      })
    : localStorage(path.join(config.dataDir, 'assets'));
  return { storage, maxAssetBytes: config.WAYLINE_ASSET_MAX_BYTES };
}
