import { gzipSync } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../../db';
import { contacts, events } from '../../../../db/schema';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { testApp } from '../../../helpers/app';
import { type DatabaseKind, openTestDb } from '../../../helpers/databases';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';

/**
 * The real API on PGlite (or Postgres), the shared Temporal dev server with a journey worker,
 * and an outbox dispatcher, as `npm start` runs them.
 */
export interface IngestHarness {
  database: Database;
  temporal: TemporalHarness;
  app: FastifyInstance;
  dispatcher: Dispatcher;
  workspace: NewWorkspace;
  close(): Promise<void>;
}

export async function startIngestHarness(kind: DatabaseKind = 'pglite'): Promise<IngestHarness> {
  const database = await openTestDb(kind);
  const temporal = await devServerTemporal();
  const worker = await startWorker(temporal, database.db);
  const dispatcher = startDispatcher(
    { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
    { pollMs: 100, maxBackoffMs: 1000 },
  );
  const app = await testApp(database, temporal, undefined, dispatcher);
  const workspace = await createWorkspace(database.db, 'Shop');
  return {
    database,
    temporal,
    app,
    dispatcher,
    workspace,
    close: async () => {
      await app.close();
      await dispatcher.stop();
      await worker.stop();
      await temporal.close();
      await database.close();
    },
  };
}

export const basic = (username: string, password = '') => ({
  authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
});

export function post(
  app: FastifyInstance,
  path: string,
  writeKey: string | undefined,
  body: unknown,
  headers = {},
) {
  return app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', ...(writeKey ? basic(writeKey) : {}), ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

export function gzipJson(body: unknown): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(body)));
}

export async function eventsOf(database: Database, workspaceId: string) {
  return database.db
    .select()
    .from(events)
    .where(eq(events.workspaceId, workspaceId))
    .orderBy(events.receivedAt);
}

export async function contactByUserId(database: Database, workspaceId: string, userId: string) {
  const [row] = await database.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, userId)));
  return row;
}

/**
 * Polls until `check` returns a value; an error counts as "not yet" (a run row can exist a
 * moment before its workflow). Real servers take their time; no timing is asserted.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in time; last error: ${String(lastError)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
