import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { journeyRuns, messages } from '../../../db/schema';
import { activityFailures } from '../../../engine/activities/metrics';
import { startWorkerMetrics, type WorkerMetricsServer } from '../../../engine/api/worker-metrics';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createJourney } from '../../../engine/automation/journeys/journeys';
import { createRegistry } from '../../../engine/automation/nodes';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { createChannelWorkers } from '../../../engine/temporal/worker';
import { testChannelDeps, testSecretBox } from '../../helpers/channels';
import { openTestDb } from '../../helpers/databases';
import { sample } from '../../helpers/prometheus';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

/**
 * The metrics port of a `wayline worker` process (WAYLINE_METRICS_PORT), scraped over HTTP, with
 * the process's real Temporal workers (the activity-only channel workers, polling the dev server).
 */
describe('worker metrics port: GET /metrics and GET /health', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let workers: Worker[];
  let running: Promise<unknown>;
  let server: WorkerMetricsServer;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    workers = await createChannelWorkers({
      connection: temporal.connection,
      namespace: 'default',
      taskQueue: temporal.taskQueue,
      db: database.db,
      registry: createRegistry([], { channels: testChannelDeps(database.db) }),
      secretBox: testSecretBox,
    });
    running = Promise.all(workers.map((w) => w.run()));
    server = await startWorkerMetrics({
      database,
      host: '127.0.0.1',
      port: 0,
      workerStates: () => workers.map((w) => w.getState()),
    });
  });
  afterAll(async () => {
    for (const w of workers ?? []) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    await server?.close();
    await temporal?.close();
    await database?.close();
  });

  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  it('serves sends per channel and outcome, run counts, dispatch lag and activity failures', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Acme');
    const contact = await createContact(db, workspace.id, { userId: 'u-1', email: 'ada@example.com' });
    // Two email sends (one sent, one of unknown outcome) and one push send, in the ledger.
    await db.insert(messages).values(
      (
        [
          ['k1', 'email', 'sent'],
          ['k2', 'email', 'unknown'],
          ['k3', 'push', 'sent'],
        ] as const
      ).map(([idempotencyKey, channel, status]) => ({
        workspaceId: workspace.id,
        contactId: contact.id,
        idempotencyKey,
        channel,
        status,
      })),
    );
    const journey = await createJourney(db, workspace.id, {
      name: 'Welcome',
      nodes: [{ id: 'start', type: 'trigger.manual', config: {} }],
      edges: [],
    });
    await db.insert(journeyRuns).values({
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      version: 1,
      entry: 1,
      workflowId: 'wl:metrics-test',
      status: 'running',
    });
    const before = (await activityFailures.get()).values.find(
      (v) => v.labels.node_type === 'email.send' && v.labels.retryable === 'true',
    );
    activityFailures.inc({ node_type: 'email.send', retryable: 'true' });

    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'wayline_messages', { channel: 'email', status: 'sent' })).toBe(1);
    expect(sample(text, 'wayline_messages', { channel: 'email', status: 'unknown' })).toBe(1);
    expect(sample(text, 'wayline_messages', { channel: 'push', status: 'sent' })).toBe(1);
    expect(sample(text, 'wayline_journey_runs', { status: 'running' })).toBe(1);
    expect(sample(text, 'wayline_dispatch_lag_seconds')).toBe(0);
    expect(
      sample(text, 'wayline_activity_failures_total', { node_type: 'email.send', retryable: 'true' }),
    ).toBe((before?.value ?? 0) + 1);
    // One channel worker per send channel, all polling.
    expect(sample(text, 'wayline_worker_pollers', { state: 'running' })).toBe(workers.length);
    expect(text).not.toContain(workspace.id);
    expect(text).not.toContain(contact.id);
  });

  it('answers /health 200 while its workers run, 503 once one stopped; anything else 404', async () => {
    const healthy = await get('/health');
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: 'ok', database: { ok: true } });

    expect((await get('/v1/contacts')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(404);

    workers[0].shutdown();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const degraded = await get('/health');
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({ status: 'degraded' });
  });
});
