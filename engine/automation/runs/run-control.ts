import type { Client } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { journeyRuns, journeyVersions } from '../../../db/schema';
import { contactChangedSignal, controlSignal, eventSignal } from './signals';
import type { ControlAction, RunEvent } from './types';

async function runningWorkflowIds(db: Db, where: ReturnType<typeof and>): Promise<string[]> {
  const rows = await db.select({ workflowId: journeyRuns.workflowId }).from(journeyRuns).where(where);
  return rows.map((r) => r.workflowId);
}

/** Signals every running run of a journey; runs that ended meanwhile are skipped. */
export async function signalJourneyRuns(
  db: Db,
  temporal: Client,
  journeyId: string,
  control: ControlAction,
): Promise<number> {
  const ids = await runningWorkflowIds(
    db,
    and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.status, 'running')),
  );
  let delivered = 0;
  for (const id of ids) {
    try {
      await temporal.workflow.getHandle(id).signal(controlSignal, control);
      delivered += 1;
    } catch (error) {
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    }
  }
  return delivered;
}

/** Delivers an event to every running run of a contact (wait.event, goals, exit criteria). */
export async function signalContactRuns(
  db: Db,
  temporal: Client,
  workspaceId: string,
  contactId: string,
  event: RunEvent,
): Promise<number> {
  const ids = await runningWorkflowIds(
    db,
    and(
      eq(journeyRuns.workspaceId, workspaceId),
      eq(journeyRuns.contactId, contactId),
      eq(journeyRuns.status, 'running'),
    ),
  );
  return signalRunsWithEvent(temporal, ids, event);
}

/** Hands an event to these runs; runs that ended meanwhile are skipped. */
export async function signalRunsWithEvent(
  temporal: Client,
  workflowIds: string[],
  event: RunEvent,
): Promise<number> {
  let delivered = 0;
  for (const id of workflowIds) {
    try {
      await temporal.workflow.getHandle(id).signal(eventSignal, event);
      delivered += 1;
    } catch (error) {
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    }
  }
  return delivered;
}

/**
 * Tells the contact's running runs whose version has a `wait.condition` node that the contact
 * changed, so a condition that now holds lets the run on within seconds (no polling).
 */
export async function signalContactChanged(
  db: Db,
  temporal: Client,
  workspaceId: string,
  contactId: string,
): Promise<number> {
  const rows = await db
    .select({ workflowId: journeyRuns.workflowId })
    .from(journeyRuns)
    .innerJoin(
      journeyVersions,
      and(
        eq(journeyVersions.journeyId, journeyRuns.journeyId),
        eq(journeyVersions.version, journeyRuns.version),
      ),
    )
    .where(
      and(
        eq(journeyRuns.workspaceId, workspaceId),
        eq(journeyRuns.contactId, contactId),
        eq(journeyRuns.status, 'running'),
        sql`jsonb_path_exists(${journeyVersions.plan}, '$.nodes.* ? (@.type == "wait.condition")')`,
      ),
    );
  let delivered = 0;
  for (const { workflowId } of rows) {
    try {
      await temporal.workflow.getHandle(workflowId).signal(contactChangedSignal);
      delivered += 1;
    } catch (error) {
      if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
    }
  }
  return delivered;
}
