import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, type LogLevel, type LogMetadata, Runtime } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { startWorkerMetrics } from './api/worker-metrics';
import { type Config, ConfigInvalid, loadConfig } from './config';
import { ensureDemoUser, ensureDemoWorkspace } from './operations/seed-demo';
import {
  composeRuntime,
  connectClient,
  openDatabase,
  type RunningWorker,
  runWorker,
  startApi,
} from './server';
import { findTemporalCli } from './temporal/binaries';
import { type DevServer, startDevServer } from './temporal/dev-server';

type Stop = () => Promise<unknown>;

/** `wayline start | api | worker | migrate`: the commands that run the engine. */
export async function serve(command: string): Promise<void> {
  const config = loadConfig();
  Runtime.install({
    logger: new WorkerLogger(config.LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN', jsonLogLine),
  });
  const stops: Stop[] = [];
  const shutdown = onShutdown(stops);
  try {
    if (command === 'start') await start(config, stops);
    else if (command === 'api') await api(config, stops);
    else if (command === 'worker') await worker(config, stops);
    else if (command === 'migrate') {
      const database = await openDatabase(config);
      console.log(`Migrations applied to ${database.location}`);
      await database.close();
    } else throw new Error(`unknown command ${command}`);
  } catch (error) {
    console.error(error instanceof ConfigInvalid ? error.message : error);
    await shutdown(1);
  }
}

/** Everything in one process: Temporal dev server, PGlite, worker, API and UI. */
async function start(config: Config, stops: Stop[]): Promise<void> {
  let address = config.TEMPORAL_ADDRESS;
  let devServer: DevServer | undefined;
  if (!address) {
    const binary = findTemporalCli({ root: config.root });
    devServer = await startDevServer({
      binary,
      dataDir: config.dataDir,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      synchronous: config.TEMPORAL_DEV_SYNCHRONOUS,
    });
    stops.unshift(() => devServer!.stop());
    address = devServer.address;
  }
  // The two memory-hungry one-off jobs of a start run in short-lived processes, so what they
  // allocate leaves with them: bundling the workflows (webpack) and creating the database folder.
  const [bundle] = await Promise.all([
    config.WAYLINE_WORKFLOW_BUNDLE ? undefined : bundleWorkflowsApart(config),
    config.DATABASE_URL ? undefined : createDatabaseFolderApart(config),
  ]);
  const database = await openDatabase(config);
  stops.unshift(() => database.close());
  console.log(`Database: ${database.driver} (${database.location}), migrations applied`);
  const runtime = await composeRuntime(config, database);
  const running: RunningWorker = await runWorker(
    bundle ? { ...runtime, config: { ...config, WAYLINE_WORKFLOW_BUNDLE: bundle } } : runtime,
    address,
  );
  stops.unshift(() => running.stop());
  const client = await connectClient(address, config.TEMPORAL_NAMESPACE);
  stops.unshift(() => client.connection.close());
  await buildUiIfMissing(config);
  // The worker already runs: the demo tickets' SLA timers start as any ticket's.
  const demo = await ensureDemoWorkspace(database.db, config.dataDir, {
    temporal: client,
    taskQueue: config.WAYLINE_TASK_QUEUE,
  });
  const demoUser = await ensureDemoUser(database.db, config.dataDir, demo.id);
  const autologin = config.WAYLINE_DEMO_AUTOLOGIN ?? true;
  const app: FastifyInstance = await startApi(runtime, client, {
    demoUserId: autologin ? demoUser.id : undefined,
    // API and worker share this process: event-triggered runs start eagerly on its worker.
    eagerStarter: new Client({ connection: running.connection, namespace: config.TEMPORAL_NAMESPACE }),
  });
  stops.unshift(() => app.close());

  const base = config.publicUrl;
  console.log(
    [
      '',
      'Wayline is running.',
      `  Builder UI     ${base}/`,
      `  API            ${base}/v1  (health: ${base}/health)`,
      `  API docs       ${base}/docs`,
      `  Temporal UI    ${devServer ? devServer.uiUrl : `(external Temporal at ${address})`}`,
      `  Demo workspace ${demo.id}${demo.created ? ' (created now)' : ''}`,
      `  Demo sign-in   ${demoUser.email} / ${demoUser.password}${autologin ? '   (this machine is signed in automatically)' : ''}`,
      `  API key        ${demo.secretKey}   (Authorization: Bearer …)`,
      `  Write key      ${demo.writeKey}   (tracking API)`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

async function api(config: Config, stops: Stop[]): Promise<void> {
  requireServers(config);
  const database = await openDatabase(config);
  stops.unshift(() => database.close());
  const client = await connectClient(config.TEMPORAL_ADDRESS!, config.TEMPORAL_NAMESPACE);
  stops.unshift(() => client.connection.close());
  const app = await startApi(await composeRuntime(config, database), client);
  stops.unshift(() => app.close());
  console.log(`Wayline API listening on ${config.publicUrl}`);
}

async function worker(config: Config, stops: Stop[]): Promise<void> {
  requireServers(config);
  const database = await openDatabase(config);
  stops.unshift(() => database.close());
  const running = await runWorker(await composeRuntime(config, database), config.TEMPORAL_ADDRESS!);
  stops.unshift(() => running.stop());
  if (config.WAYLINE_METRICS_PORT !== undefined) {
    const metrics = await startWorkerMetrics({
      database,
      host: config.HOST,
      port: config.WAYLINE_METRICS_PORT,
      workerStates: running.states,
    });
    stops.unshift(() => metrics.close());
    console.log(`Wayline worker metrics on http://${config.HOST}:${metrics.port}/metrics (health: /health)`);
  }
  console.log(`Wayline worker polling task queue ${config.WAYLINE_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
}

function requireServers(config: Config): void {
  const missing = [
    !config.DATABASE_URL && 'DATABASE_URL',
    !config.TEMPORAL_ADDRESS && 'TEMPORAL_ADDRESS',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigInvalid(
      `Separate api and worker processes share a Postgres server and a Temporal cluster: set ${missing.join(' and ')} (or use npm start for the embedded mode).`,
    );
  }
}

/** Runs `args` under this Node; resolves when the process exits with 0. */
function runApart(label: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${label} exited with ${code}`)),
    );
  });
}

/** The workflow bundle built in its own process; undefined (the worker bundles itself) when that fails. */
async function bundleWorkflowsApart(config: Config): Promise<string | undefined> {
  const out = path.join(config.dataDir, 'workflows.js');
  const script = path.join(config.root, 'engine', 'temporal', 'build-workflow-bundle.ts');
  try {
    await runApart('bundling', ['--import', 'tsx', script, out], config.root);
    return out;
  } catch (error) {
    console.warn(`Workflows not bundled apart (${(error as Error).message}); the worker bundles them itself`);
    return undefined;
  }
}

/** PGlite's initdb on the first start, in its own process (see bin/init-pglite.mjs). */
async function createDatabaseFolderApart(config: Config): Promise<void> {
  const folder = path.join(config.dataDir, 'pglite');
  if (existsSync(path.join(folder, 'PG_VERSION'))) return;
  mkdirSync(folder, { recursive: true });
  await runApart(
    'creating the database',
    [path.join(config.root, 'bin', 'init-pglite.mjs'), folder],
    config.root,
  );
}

async function buildUiIfMissing(config: Config): Promise<void> {
  const uiRoot = path.join(config.root, 'builder-ui');
  if (!existsSync(path.join(uiRoot, 'index.html')) || existsSync(path.join(uiRoot, 'dist', 'index.html')))
    return;
  console.log('Building the builder UI (first start only)...');
  try {
    const { build } = await import('vite');
    await build({ configFile: path.join(uiRoot, 'vite.config.ts'), logLevel: 'warn' });
  } catch (error) {
    // The API and runs work without the UI; say so loudly rather than refuse to start.
    console.error(
      `!!! The builder UI could not be built, only the API is served: ${(error as Error).message}`,
    );
  }
}

/** Send workers poll only activity queues by design; Temporal's warning about that is noise here. */
class WorkerLogger extends DefaultLogger {
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message.startsWith('No workflows registered')) return;
    super.log(level, message, meta);
  }
}

/** Temporal's and the activities' log entries as JSON lines on stderr, like the API's pino lines. */
function jsonLogLine(entry: {
  level: LogLevel;
  timestampNanos: bigint;
  message: string;
  meta?: LogMetadata;
}) {
  const line = {
    level: entry.level.toLowerCase(),
    time: Number(entry.timestampNanos / 1_000_000n),
    msg: entry.message,
    ...entry.meta,
  };
  process.stderr.write(
    `${JSON.stringify(line, (_key, value) =>
      value instanceof Error
        ? { name: value.name, message: value.message, stack: value.stack }
        : typeof value === 'bigint'
          ? String(value)
          : value,
    )}\n`,
  );
}

function onShutdown(stops: Stop[]) {
  let stopping = false;
  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops) {
      try {
        await stop();
      } catch (error) {
        console.error('while stopping:', (error as Error).message);
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => {
    console.log('\nStopping Wayline...');
    void shutdown(0);
  });
  process.on('SIGTERM', () => void shutdown(0));
  return shutdown;
}
