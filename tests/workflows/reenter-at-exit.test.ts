import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns } from '../../db/schema';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { createWorkspace } from '../../engine/identity/workspaces';
import { createContact, updateContact } from '../../engine/operations/contacts';
import { createSegment } from '../../engine/operations/segments';
import { line, publishGraph } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

describe('re-enter at exit (real time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  it('starts the next run when one ends while the contact is still in the segment, and stops once it left', async () => {
    const { db } = stack;
    const deps = { db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue };
    const workspace = await createWorkspace(db, 'Loops');
    const segment = await createSegment(deps, workspace.id, {
      name: 'Subscribed to the digest',
      definition: { match: 'all', rules: [{ kind: 'tag', tag: 'digest', present: true }] },
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(
        'Digest',
        [
          { id: 'start', type: 'trigger.segment', config: { segmentId: segment.id, reenterAtExit: true } },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 7, unit: 'days' } } },
          { id: 'mark', type: 'contact.update', config: { addTags: ['digested'] } },
        ],
        { reEntry: { mode: 'after-exit', minInterval: { amount: 1, unit: 'seconds' } } },
      ),
    );
    const runs = () =>
      db
        .select()
        .from(journeyRuns)
        .where(and(eq(journeyRuns.journeyId, journey.id)))
        .orderBy(asc(journeyRuns.entry));
    const contact = await createContact(deps, workspace.id, { userId: 'reader', tags: ['digest'] });
    const [first] = await runs();
    expect(first.contactId).toBe(contact.id);

    // The interval (1 s of wall-clock time) has passed when the first run ends a week later.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const firstResult: JourneyRunResult = await stack.temporal.client.workflow
      .getHandle(first.workflowId)
      .result();
    expect(firstResult.status).toBe('completed');
    let all = await runs();
    for (let i = 0; i < 100 && all.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      all = await runs();
    }
    expect(all).toHaveLength(2);
    expect(all[1].triggerEventId).toBe(`reenter:${first.workflowId}`);

    await updateContact(deps, workspace.id, contact.id, { removeTags: ['digest'] });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await stack.temporal.client.workflow.getHandle(all[1].workflowId).result();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runs()).toHaveLength(2);
  });
});
