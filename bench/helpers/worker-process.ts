/**
 * A journey worker in a process of its own, as `wayline worker` runs beside `wayline api`: the
 * benchmarks' way to measure that topology on one machine. Needs the Postgres server of
 * DATABASE_URL (PGlite lives inside one process).
 *
 *   const worker = await startWorkerProcess({ address, taskQueue, databaseUrl });
 *   …
 *   await worker.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface WorkerProcessOptions {
  /** The Temporal frontend, host:port. */
  address: string;
  taskQueue: string;
  databaseUrl: string;
}

/** Forks the worker; resolves once it polls, with `stop` (shuts it down and waits for its exit). */
export async function startWorkerProcess(
  options: WorkerProcessOptions,
): Promise<{ stop: () => Promise<void> }> {
  // The options go by environment, not the command line, where the database URL would make the
  // process count as PostgreSQL's (`processesCpuMs('postgres:')`).
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    // V8's defaults, as `wayline worker` runs (bin/wayline.mjs).
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_WORKER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before polling`)));
  });
  return {
    async stop() {
      child.send('stop');
      await exited;
    },
  };
}

// Run as the child: a journey worker on the task queue until the parent says stop.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const options = JSON.parse(String(process.env.BENCH_WORKER_OPTIONS)) as WorkerProcessOptions;
  const { NativeConnection, Runtime } = await import('@temporalio/worker');
  const { createDb } = await import('../../db');
  const { createRegistry } = await import('../../engine/automation/nodes');
  const { SecretBox } = await import('../../engine/identity/secret-box');
  const { bundleWorkflows, createJourneyWorker } = await import('../../engine/temporal/worker');
  const silent = () => {};
  Runtime.install({
    logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent } as any,
  });
  const database = await createDb({ url: options.databaseUrl });
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await createJourneyWorker({
    connection,
    namespace: 'default',
    taskQueue: options.taskQueue,
    db: database.db,
    registry: createRegistry(),
    secretBox: new SecretBox(randomBytes(32)),
    workflowBundle: { code: await bundleWorkflows() },
  });
  const running = worker.run();
  process.on('message', (message) => {
    if (message === 'stop') worker.shutdown();
  });
  // The benchmark gone (finished or crashed) without a word: no worker left polling.
  process.on('disconnect', () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  process.send('polling');
  await running;
  await connection.close();
  await database.close();
  process.exit(0);
}
