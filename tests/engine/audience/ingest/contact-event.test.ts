import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../../../../db';
import { journeyRuns } from '../../../../db/schema';
import { createRegistry } from '../../../../engine/automation/nodes';
import { startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { defineNode, nextPort } from '../../../../engine/sdk/define-node';
import { openTestDb } from '../../../helpers/databases';
import { line, publishGraph, runToEnd, workspaceWithContact } from '../../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';

const qualify = defineNode({
  type: 'test.qualify',
  version: 1,
  kind: 'action',
  title: 'Qualify lead',
  category: 'Test',
  config: z.object({}),
  ports: [nextPort],
  async execute(_config, ctx) {
    await ctx.emitEvent('Lead Qualified', { score: 90 });
    return undefined;
  },
});

describe('events emitted by nodes (real Temporal dev server, PGlite, outbox dispatcher)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let stopWorker: () => Promise<void>;
  let stopDispatcher: () => Promise<void>;
  const registry = createRegistry([{ definition: qualify, source: 'test' }]);

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db, registry));
    const dispatcher = startDispatcher(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { pollMs: 100, maxBackoffMs: 1000 },
    );
    stopDispatcher = () => dispatcher.stop();
  });
  afterAll(async () => {
    await stopDispatcher?.();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  it('starts the journeys that the emitted event triggers', async () => {
    const { db } = database;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey: follower } = await publishGraph(
      db,
      workspace.id,
      line('Follow-up', [
        {
          id: 'qualified',
          type: 'trigger.event',
          config: { event: 'Lead Qualified', where: [{ path: 'score', op: 'gte', value: 50 }] },
        },
        { id: 'tag', type: 'contact.update', config: { addTags: ['sales-ready'] } },
      ]),
      registry,
    );
    const { journey: scorer } = await publishGraph(
      db,
      workspace.id,
      line('Scoring', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'qualify', type: 'test.qualify', config: {} },
      ]),
      registry,
    );
    await runToEnd(db, temporal, { workspaceId: workspace.id, journeyId: scorer.id, contactId: contact.id });

    const deadline = Date.now() + 60_000;
    let runs: (typeof journeyRuns.$inferSelect)[] = [];
    while (Date.now() < deadline) {
      runs = await db
        .select()
        .from(journeyRuns)
        .where(and(eq(journeyRuns.journeyId, follower.id), eq(journeyRuns.contactId, contact.id)));
      if (runs.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(runs).toHaveLength(1);
    // The run's row is written when it is enrolled, just before Temporal is asked to start it.
    for (;;) {
      try {
        await temporal.client.workflow.getHandle(runs[0].workflowId).result();
        break;
      } catch (error) {
        if ((error as Error).name !== 'WorkflowNotFoundError' || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
});
