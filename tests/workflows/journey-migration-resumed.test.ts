import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journeyRuns, nodeVisits } from '../../db/schema';
import { getVersion, publishJourney, saveDraft } from '../../engine/automation/journeys/journeys';
import type { Plan } from '../../engine/automation/journeys/plan';
import { createRegistry } from '../../engine/automation/nodes';
import { eventSignal, migrateSignal } from '../../engine/automation/runs/signals';
import type { JourneyRunInput, JourneyRunResult, MigrateRun } from '../../engine/automation/runs/types';
import { eventually } from '../engine/audience/ingest/ingest-harness';
import { shortenedJourney, versionedVisits, waitingJourney } from '../engine/journeys/migration-fixtures';
import { publishGraph, startRun, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

/**
 * A run that continued as new in the middle of a wait (its history grew too long) starts its next
 * run at the same visit of the wait. When a migration's signal reaches that next run before its
 * first workflow task, the move is applied at the top of the interpreter's loop, not in the wait:
 * the wait's visit must still end "migrated" on the old version, and the new version's visit take
 * the next number, so the two never share a `node_visits` row (unique per workflow, node, visit).
 */
describe.each(['time-skipping', 'dev-server'] as const)(
  'a migration reaching a run right after it continued as new at a wait (Temporal %s server, PGlite)',
  (server) => {
    const stack = journeyStack(server);

    it('records the old visit as migrated and the new version visit under the next number', async () => {
      const { db, temporal } = stack;
      const { workspace, contact } = await workspaceWithContact(db);
      const { journey } = await publishGraph(db, workspace.id, waitingJourney);
      // A small history limit: one event received while waiting makes the run continue as new at the wait.
      const { workflowId, handle } = await startRun(db, temporal, {
        workspaceId: workspace.id,
        journeyId: journey.id,
        contactId: contact.id,
        historyLimit: 8,
      });
      await eventually(async () => {
        const rows = await db.select().from(nodeVisits).where(eq(nodeVisits.workflowId, workflowId));
        return rows.some((r) => r.nodeId === 'wait');
      }, 30_000);
      const firstRunId = (await handle.describe()).runId;
      let noise = 0;
      await eventually(async () => {
        await handle.signal(eventSignal, {
          id: `noise-${noise++}`,
          name: 'Page Viewed',
          properties: {},
          timestamp: new Date().toISOString(),
        });
        const { runId } = await handle.describe();
        return runId !== firstRunId ? runId : undefined;
      }, 30_000);

      // v2: the wait shortened to a second, then tag "v2".
      await saveDraft(db, workspace.id, journey.id, shortenedJourney(1));
      await publishJourney(db, createRegistry(), workspace.id, journey.id);
      const v2 = await getVersion(db, workspace.id, journey.id, 2);
      const migration: MigrateRun = {
        migrationId: randomUUID(),
        version: 2,
        plan: v2.plan as unknown as Plan,
        mapping: { start: 'start', wait: 'wait', 'tag-old': null },
        pastTimers: 'fire',
      };

      // The signal lands before the continued run's first task. To make that order certain, the
      // continued run is replaced by one started from the very input it continued with, together
      // with the signal (signal-with-start delivers it ahead of the first task). Noise signals sent
      // before the loop saw the first continue-as-new may make the run continue once more, so the
      // run replaced is whichever is current when the terminate lands.
      let carried: JourneyRunInput | undefined;
      for (let attempt = 0; carried === undefined; attempt++) {
        const { runId } = await handle.describe();
        const current = temporal.client.workflow.getHandle(workflowId, runId);
        const input = await startInput(current);
        try {
          await current.terminate('replaced by the same input with the migration signal');
          carried = input;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError) || attempt > 10) throw error;
        }
      }
      expect(carried.state).toMatchObject({ cursor: 'wait', visits: { start: 1, wait: 0 } });
      expect(carried.state?.cursorEnteredAt).toEqual(expect.any(Number));
      const moved = await temporal.client.workflow.signalWithStart('journeyRun', {
        workflowId,
        taskQueue: temporal.taskQueue,
        args: [carried],
        signal: migrateSignal,
        signalArgs: [migration],
      });
      const result: JourneyRunResult = await temporal.client.workflow
        .getHandle(workflowId, moved.signaledRunId)
        .result(); // follows the run as it continues as new onto v2
      expect(result.status).toBe('completed');

      const rows = (await versionedVisits(db, workflowId)).sort((a, b) => a.localeCompare(b));
      // The wait's first visit (entered on v1, kept across the continue-as-new) ends "migrated" on
      // v1; the run re-enters the wait on v2 as visit 2 (its second), whose second is already over.
      expect(rows).toEqual(['v1:start#1:next', 'v1:wait#1:migrated', 'v2:tag-new#1:next', 'v2:wait#2:next']);
      const [migrated] = await db
        .select()
        .from(nodeVisits)
        .where(and(eq(nodeVisits.workflowId, workflowId), eq(nodeVisits.port, 'migrated')));
      expect(migrated?.outcome).toEqual({ migrationId: migration.migrationId, toVersion: 2, toNode: 'wait' });
      const [run] = await db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));
      expect(run).toMatchObject({ version: 2, status: 'completed' });
    }, 90_000);
  },
);

/** The input a run was started (or continued) with. */
async function startInput(run: WorkflowHandle): Promise<JourneyRunInput> {
  const history = await run.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return defaultPayloadConverter.fromPayload<JourneyRunInput>(payload!);
}
