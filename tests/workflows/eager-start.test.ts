import { randomUUID } from 'node:crypto';
import { Client, type ClientOptions, type WorkflowClientInterceptor } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns } from '../../db/schema';
import { getContact } from '../../engine/audience/contacts/contacts';
import { ingestMessages } from '../../engine/audience/ingest/ingest';
import { enrollContact } from '../../engine/automation/runs/enroll';
import { statusQuery } from '../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { startDispatcher } from '../../engine/dispatch/dispatcher';
import { pathOf, publishGraph, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

/**
 * A process that runs the journey worker may start runs eagerly: the enrollment's client shares
 * the worker's native connection, and Temporal answers the start with the run's first workflow
 * task. The run must behave exactly as one started through the task queue.
 */
describe('eager start of a journey run (Temporal dev server, PGlite)', () => {
  const stack = journeyStack('dev-server');

  it('starts the run on the worker of this process and runs it to its end', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Tag on entry',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'tag', type: 'contact.update', config: { addTags: ['eager'] } },
      ],
      edges: [{ id: 'e1', source: 'start', target: 'tag' }],
    });
    const eagerClient = new Client({ connection: temporal.connection });
    const enrolled = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue, eagerStarter: eagerClient },
      { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    const result: JourneyRunResult = await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    expect(result.status).toBe('completed');
    expect(await pathOf(db, enrolled.workflowId)).toEqual(['start:next', 'tag:next']);
    expect((await getContact(db, workspace.id, contact.id)).tags).toContain('eager');
    // A second enrollment of the same contact is refused as with a plain start.
    const again = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue, eagerStarter: eagerClient },
      { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
    );
    expect(again.enrolled).toBe(false);
  });

  it('has the dispatcher start and signal runs through the worker’s connection, none through the other client', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, {
      name: 'Wait for go',
      nodes: [
        { id: 'start', type: 'trigger.event', config: { event: 'Start' } },
        { id: 'wait', type: 'wait.event', config: { event: 'Go', timeout: { amount: 1, unit: 'days' } } },
        { id: 'done', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: 'next', target: 'wait' },
        { id: 'e2', source: 'wait', sourceHandle: 'matched', target: 'done' },
      ],
    });
    /** A client whose calls are counted, by kind. */
    const counted = (connection: ClientOptions['connection']) => {
      const calls = { start: 0, signal: 0 };
      const interceptor: WorkflowClientInterceptor = {
        start: (input, next) => {
          calls.start += 1;
          return next(input);
        },
        signal: (input, next) => {
          calls.signal += 1;
          return next(input);
        },
      };
      return { calls, client: new Client({ connection, interceptors: { workflow: [interceptor] } }) };
    };
    const plain = counted(temporal.client.connection);
    const eager = counted(temporal.connection);
    const dispatcher = startDispatcher(
      { db, temporal: plain.client, taskQueue: temporal.taskQueue, eagerStarter: eager.client },
      { pollMs: 50 },
    );
    try {
      const track = (event: string) =>
        ingestMessages(db, {
          workspaceId: workspace.id,
          messages: [{ type: 'track', userId: 'u-1', event, messageId: randomUUID() }],
        });
      await track('Start');
      const runs = () =>
        db
          .select()
          .from(journeyRuns)
          .where(and(eq(journeyRuns.journeyId, journey.id), eq(journeyRuns.contactId, contact.id)));
      await expect.poll(async () => (await runs()).length, { timeout: 15_000, interval: 100 }).toBe(1);
      const [run] = await runs();
      const handle = temporal.client.workflow.getHandle(run.workflowId);
      await expect
        .poll(async () => (await handle.query(statusQuery)).cursor, { timeout: 15_000, interval: 100 })
        .toBe('wait');
      await track('Go');
      const result: JourneyRunResult = await handle.result();
      expect(result.status).toBe('completed');
      expect(await pathOf(db, run.workflowId)).toEqual(['start:next', 'wait:matched', 'done']);
      expect(eager.calls).toEqual({ start: 1, signal: 1 });
      expect(plain.calls).toEqual({ start: 0, signal: 0 });
    } finally {
      await dispatcher.stop();
    }
  });
});
