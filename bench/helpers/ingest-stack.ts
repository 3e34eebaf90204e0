import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createDb } from '../../db';
import { buildApp } from '../../engine/api/app';
import { createRegistry } from '../../engine/automation/nodes';
import { startDispatcher } from '../../engine/dispatch/dispatcher';
import { SecretBox } from '../../engine/identity/secret-box';
import { findTemporalCli } from '../../engine/temporal/binaries';
import { startDevServer } from '../../engine/temporal/dev-server';
import { bundleWorkflows, createJourneyWorker } from '../../engine/temporal/worker';
import { freePort } from '../../tests/helpers/ports';
import { startWorkerProcess } from './worker-process';

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * What the ingest benchmarks share: a quiet Temporal runtime, a dev server of their own, the
 * database (PGlite in memory, or the Postgres server in DATABASE_URL), a client, a fresh task
 * queue, the built-in registry and a throwaway secret box. `close` stops what it started.
 */
export async function startIngestStack() {
  const silent = () => {};
  Runtime.install({
    logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent } as any,
  });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'wayline-bench-'));
  const server = await startDevServer({
    binary: findTemporalCli({ root, log: silent }),
    dataDir: scratch,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
  });
  // BENCH_DB_CONNECTIONS: the pool's size on a Postgres server (10, as `npm start`, unless set).
  const maxConnections = Number(process.env.BENCH_DB_CONNECTIONS ?? 10);
  const database = await createDb(
    process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, maxConnections } : {},
  );
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    /** The dev server's data folder, which its command line names (to read its CPU time). */
    dataDir: scratch,
    database,
    db: database.db,
    temporal: new Client({ connection }),
    taskQueue: `bench-${randomUUID()}`,
    registry: createRegistry(),
    secretBox: new SecretBox(randomBytes(32)),
    async close() {
      await connection.close();
      await server.stop();
      await database.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * On top of the stack, what `npm start` runs: a journey worker, the outbox dispatcher and the
 * API listening on a real port. `close` stops them (then close the stack). `BENCH_WORKER=apart`
 * (with DATABASE_URL): the worker in a process of its own instead, as `wayline worker` beside
 * `wayline api`, the dispatcher then starting runs through the task queue.
 */
export async function startJourneyApi(stack: Awaited<ReturnType<typeof startIngestStack>>) {
  const { server, database, db, temporal, taskQueue, registry, secretBox } = stack;
  const apart = process.env.BENCH_WORKER === 'apart';
  if (apart && !process.env.DATABASE_URL) throw new Error('BENCH_WORKER=apart needs DATABASE_URL');
  const here = apart ? undefined : await startWorkerHere(stack);
  const worker =
    here ??
    (await startWorkerProcess({
      address: server.address,
      taskQueue,
      databaseUrl: String(process.env.DATABASE_URL),
    }));
  // As `npm start`: the dispatcher starts runs eagerly on this process's worker
  // (`BENCH_EAGER=0`: through the task queue, as `wayline api` apart from the worker does).
  const eagerStarter =
    here && process.env.BENCH_EAGER !== '0' ? new Client({ connection: here.connection }) : undefined;
  const dispatcher = startDispatcher({ db, temporal, taskQueue, eagerStarter });
  const app = await buildApp({ db, database, temporal, taskQueue, registry, secretBox, dispatcher });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    /** Where the journey worker runs: `here` (this process) or `apart`. */
    workerRuns: apart ? 'apart' : 'here',
    async close() {
      await app.close();
      await dispatcher.stop();
      await worker.stop();
    },
  };
}

/** The journey worker in this process, on a native connection of its own. */
async function startWorkerHere(stack: Awaited<ReturnType<typeof startIngestStack>>) {
  const { server, db, taskQueue, registry, secretBox } = stack;
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createJourneyWorker({
    connection,
    namespace: 'default',
    taskQueue,
    db,
    registry,
    secretBox,
    workflowBundle: { code: await bundleWorkflows() },
  });
  const running = worker.run();
  return {
    connection,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

// The batch the load sends, also stored directly by `ingest-store.ts`.
export { benchBatch } from './load-client';
