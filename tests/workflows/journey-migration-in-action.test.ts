import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns, nodeVisits } from '../../db/schema';
import { getContact } from '../../engine/audience/contacts/contacts';
import { publishJourney, saveDraft } from '../../engine/automation/journeys/journeys';
import type { JourneyGraphInput } from '../../engine/automation/journeys/model';
import { createRegistry } from '../../engine/automation/nodes';
import { previewMigration } from '../../engine/automation/runs/migration';
import { controlSignal } from '../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { migrateJourneyRuns } from '../../engine/operations/journey-lifecycle';
import { eventually } from '../engine/audience/ingest/ingest-harness';
import { versionedVisits } from '../engine/journeys/migration-fixtures';
import { line, publishGraph, startRun, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

/** v1: start → wait 1 s → tag "a" → tag "v1"; v2 tags "v2" at the last node instead. */
const version = (last: string): JourneyGraphInput =>
  line('In an action', [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'hold', type: 'wait.duration', config: { duration: { amount: 1, unit: 'seconds' } } },
    { id: 'tag-a', type: 'contact.update', config: { addTags: ['a'] } },
    { id: 'after', type: 'contact.update', config: { addTags: [last] } },
  ]);

/**
 * A run in the middle of an action node when a migration reaches it finishes that action on its
 * version first, then moves at the node it goes to next. Here the run is held at `tag-a` (the run
 * is paused before it), which the preview counts as in an action (Temporal dev server, PGlite).
 */
describe('migrating a run in the middle of an action (Temporal dev server, PGlite)', () => {
  const stack = journeyStack('dev-server');

  it('finishes the action on the old version, then continues on the new one at the next node', async () => {
    const { db, temporal } = stack;
    const { workspace, contact } = await workspaceWithContact(db);
    const { journey } = await publishGraph(db, workspace.id, version('v1'));
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    await handle.signal(controlSignal, { action: 'pause' });
    // Paused, the run holds at tag-a: its visit there is open, the action not run.
    await eventually(async () => {
      const rows = await db.select().from(nodeVisits).where(eq(nodeVisits.workflowId, workflowId));
      return rows.some((r) => r.nodeId === 'tag-a' && r.leftAt === null);
    }, 30_000);

    await saveDraft(db, workspace.id, journey.id, version('v2'));
    await publishJourney(db, createRegistry(), workspace.id, journey.id);
    const preview = await previewMigration(db, workspace.id, journey.id);
    expect(preview.groups).toEqual([
      expect.objectContaining({ fromNode: 'tag-a', toNode: 'tag-a', how: 'same-node', runs: 1, inAction: 1 }),
    ]);
    const deps = { db, temporal: temporal.client, taskQueue: temporal.taskQueue };
    const { done } = await migrateJourneyRuns(deps, workspace.id, journey.id, {}, null);
    expect(await done).toMatchObject({ moved: 1 });
    // Signalled, the run is still on v1 inside its action.
    const [signalled] = await db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));
    expect(signalled.version).toBe(1);

    await handle.signal(controlSignal, { action: 'resume' });
    const result: JourneyRunResult = await handle.result();
    expect(result.status).toBe('completed');
    // tag-a ran once, on v1; the run moved between tag-a and "after" (nothing to close as migrated).
    expect(await versionedVisits(db, workflowId)).toEqual([
      'v1:start#1:next',
      'v1:hold#1:next',
      'v1:tag-a#1:next',
      'v2:after#1:next',
    ]);
    expect((await getContact(db, workspace.id, contact.id)).tags.sort()).toEqual(['a', 'v2']);
    const [run] = await db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));
    expect(run).toMatchObject({ version: 2, status: 'completed' });
  }, 90_000);
});
