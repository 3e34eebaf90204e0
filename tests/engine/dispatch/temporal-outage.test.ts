import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../../db';
import { events, journeyRuns, outbox } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import { createRegistry } from '../../../engine/automation/nodes';
import { type Dispatcher, startDispatcher } from '../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { findTemporalCli } from '../../../engine/temporal/binaries';
import { type DevServer, startDevServer } from '../../../engine/temporal/dev-server';
import { createJourneyWorker } from '../../../engine/temporal/worker';
import { testSecretBox } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { line, pathOf, publishGraph } from '../../helpers/fixtures';
import { freePort } from '../../helpers/ports';
import { eventually, post } from '../audience/ingest/ingest-harness';

describe('events accepted while Temporal is down (own Temporal dev server, stopped and restarted; PGlite)', () => {
  const root = path.resolve(import.meta.dirname, '..', '..', '..');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-outage-'));
  const taskQueue = `outage-${randomUUID()}`;
  let ports: { port: number; uiPort: number };
  let server: DevServer | undefined;
  let connection: Connection;
  let database: Database;
  let app: FastifyInstance;
  let dispatcher: Dispatcher;
  let workspace: NewWorkspace;

  const startServer = async () => {
    server = await startDevServer({
      binary: findTemporalCli({ root, log: () => {} }),
      dataDir,
      ...ports,
      namespace: 'default',
    });
    return server;
  };

  beforeAll(async () => {
    const silent = () => {};
    Runtime.install({
      logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent } as any,
    });
    ports = { port: await freePort(), uiPort: await freePort() };
    const { address } = await startServer();
    connection = await Connection.connect({ address });
    const client = new Client({ connection });
    database = await openTestDb();
    workspace = await createWorkspace(database.db, 'Outage');
    dispatcher = startDispatcher(
      { db: database.db, temporal: client, taskQueue },
      { pollMs: 100, maxBackoffMs: 500, deliveryTimeoutMs: 2000 },
    );
    app = await buildApp({
      db: database.db,
      database,
      temporal: client,
      taskQueue,
      registry: createRegistry(),
      secretBox: testSecretBox,
      dispatcher,
    });
  });
  afterAll(async () => {
    await app?.close();
    await dispatcher?.stop();
    await connection?.close();
    await server?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 202 once Temporal is known to be down, and starts the run once it is back: nothing lost, nothing twice', async () => {
    const { journey } = await publishGraph(
      database.db,
      workspace.id,
      line('Welcome', [
        { id: 'signed-up', type: 'trigger.event', config: { event: 'Signed Up' } },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
      ]),
    );
    await server?.stop();

    const messageId = randomUUID();
    const answer = await post(app, '/v1/track', workspace.writeKey, {
      userId: 'patient',
      event: 'Signed Up',
      messageId,
    });
    // The answer never waits for Temporal: stored is 200 until a delivery has failed.
    expect([200, 202]).toContain(answer.statusCode);
    expect(answer.json()).toMatchObject({ success: true, accepted: 1 });
    await eventually(async () => !dispatcher.healthy() || undefined, 30_000);
    const meanwhile = await post(app, '/v1/track', workspace.writeKey, {
      userId: 'patient',
      event: 'Page Seen',
    });
    expect(meanwhile.statusCode).toBe(202);
    expect(meanwhile.json()).toMatchObject({ success: true, accepted: 1 });
    const [event] = await database.db.select().from(events).where(eq(events.messageId, messageId));
    expect(event).toBeDefined();
    // A client retry while Temporal is still away is a duplicate: 200, nothing more stored.
    const retry = await post(app, '/v1/track', workspace.writeKey, {
      userId: 'patient',
      event: 'Signed Up',
      messageId,
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const [pending] = await database.db.select().from(outbox).where(eq(outbox.eventId, event.id));
    expect(pending.status).toBe('pending');

    const restarted = await startServer();
    const workerConnection = await NativeConnection.connect({ address: restarted.address });
    const worker = await createJourneyWorker({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      db: database.db,
      registry: createRegistry(),
      secretBox: testSecretBox,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const running = worker.run();
    try {
      const [run] = await eventually(async () => {
        const rows = await database.db
          .select()
          .from(journeyRuns)
          .where(eq(journeyRuns.journeyId, journey.id));
        return rows.length ? rows : undefined;
      }, 60_000);
      expect(run.triggerEventId).toBe(event.id);
      await eventually(
        async () => (await pathOf(database.db, run.workflowId)).includes('signed-up:next'),
        60_000,
      );
      const [delivered] = await database.db.select().from(outbox).where(eq(outbox.eventId, event.id));
      expect(delivered.status).toBe('delivered');
      expect(delivered.attempts).toBeGreaterThan(1);
      expect(
        await database.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id)),
      ).toHaveLength(1);
    } finally {
      worker.shutdown();
      await running;
      await workerConnection.close();
    }
  });
});
