import { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { getContact } from '../../engine/audience/contacts/contacts';
import { enrollContact } from '../../engine/automation/runs/enroll';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
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
});
