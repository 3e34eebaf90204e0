import { describe, expect, it } from 'vitest';
import { getContact } from '../../engine/audience/contacts/contacts';
import { enrollContact } from '../../engine/automation/runs/enroll';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { line, pathOf, publishGraph, runRow, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

describe('journey run on the time-skipping test server (real Temporal test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  it('finishes a seven-day wait in seconds and records every node visit', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Week later', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'wait', type: 'wait.duration', config: { duration: { amount: 7, unit: 'days' } } },
        { id: 'mark', type: 'contact.update', config: { set: { weekLater: true }, addTags: ['nurtured'] } },
      ]),
    );
    const started = Date.now();
    const result = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
    );
    expect(result.enrolled).toBe(true);
    if (!result.enrolled) return;
    const outcome: JourneyRunResult = await temporal.client.workflow.getHandle(result.workflowId).result();

    expect(outcome.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(30_000);
    const updated = await getContact(db, workspace.id, contact.id);
    expect(updated.attributes).toMatchObject({ weekLater: true });
    expect(updated.tags).toContain('nurtured');
    expect(await pathOf(db, result.workflowId)).toEqual(['start:next', 'wait:next', 'mark:next']);
    const run = await runRow(db, result.workflowId);
    expect(run.status).toBe('completed');
    const [waitVisit] = (await pathOf(db, result.workflowId)).filter((p) => p.startsWith('wait'));
    expect(waitVisit).toBe('wait:next');
  });
});
