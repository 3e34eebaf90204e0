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
 * API listening on a real port. `close` stops them (then close the stack).
 */
export async function startJourneyApi(stack: Awaited<ReturnType<typeof startIngestStack>>) {
  const { server, database, db, temporal, taskQueue, registry, secretBox } = stack;
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createJourneyWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    db,
    registry,
    secretBox,
    workflowBundle: { code: await bundleWorkflows() },
  });
  const workerRun = worker.run();
  // As `npm start`: the dispatcher starts runs eagerly on this process's worker
  // (`BENCH_EAGER=0`: through the task queue, as `wayline api` apart from the worker does).
  const eagerStarter =
    process.env.BENCH_EAGER === '0' ? undefined : new Client({ connection: workerConnection });
  const dispatcher = startDispatcher({ db, temporal, taskQueue, eagerStarter });
  const app = await buildApp({ db, database, temporal, taskQueue, registry, secretBox, dispatcher });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    async close() {
      await app.close();
      await dispatcher.stop();
      worker.shutdown();
      await workerRun;
      await workerConnection.close();
    },
  };
}

// The batch the load sends, also stored directly by `ingest-store.ts`.
export { benchBatch } from './load-client';
