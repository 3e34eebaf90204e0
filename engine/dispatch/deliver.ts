import { and, eq } from 'drizzle-orm';
import { events, journeyRuns } from '../../db/schema';
import { enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { signalContactRuns } from '../automation/runs/run-control';
import { controlSignal } from '../automation/runs/signals';
import type { RunEvent } from '../automation/runs/types';
import { journeysTriggeredByEvent } from '../automation/triggers/trigger-index';
import { DomainError } from '../errors';
import { contactChanged } from '../operations/segment-membership';
import type { OutboxRow } from './outbox-queue';

/**
 * Does what an accepted event owes Temporal: ends the runs of a contact merged away, enrolls
 * the contact in journeys the event triggers, signals its running runs, and re-evaluates its
 * segments. Safe to repeat after a partial failure: an enrollment already made for this event
 * is skipped, and runs drop an event id they have seen.
 */
export async function deliverOutboxRow(deps: TemporalDeps, row: OutboxRow): Promise<void> {
  const { db, temporal } = deps;
  for (const workflowId of row.work.exitWorkflowIds ?? []) {
    await ignoreMissing(
      temporal.workflow
        .getHandle(workflowId)
        .signal(controlSignal, { action: 'exit', reason: 'contact merged' }),
    );
  }
  const [event] = await db
    .select()
    .from(events)
    .where(and(eq(events.workspaceId, row.workspaceId), eq(events.id, row.eventId)));
  if (!event) return;
  if (event.type === 'track' && event.name) {
    const runEvent: RunEvent = {
      id: event.id,
      name: event.name,
      properties: event.properties,
      timestamp: event.timestamp.toISOString(),
    };
    for (const journeyId of await journeysTriggeredByEvent(
      db,
      row.workspaceId,
      event.name,
      event.properties,
    )) {
      if (await alreadyEnrolled(deps, journeyId, row.contactId, event.id)) continue;
      try {
        await enrollContact(deps, {
          workspaceId: row.workspaceId,
          journeyId,
          contactId: row.contactId,
          trigger: runEvent,
        });
      } catch (error) {
        // Paused meanwhile, contact deleted: nothing to retry. Unavailable (503) is retried.
        if (error instanceof DomainError && error.expected) continue;
        throw error;
      }
    }
    await signalContactRuns(db, temporal, row.workspaceId, row.contactId, runEvent);
  }
  await contactChanged(deps, row.workspaceId, row.contactId);
}

async function alreadyEnrolled(deps: TemporalDeps, journeyId: string, contactId: string, eventId: string) {
  const [run] = await deps.db
    .select({ id: journeyRuns.id })
    .from(journeyRuns)
    .where(
      and(
        eq(journeyRuns.journeyId, journeyId),
        eq(journeyRuns.contactId, contactId),
        eq(journeyRuns.triggerEventId, eventId),
      ),
    )
    .limit(1);
  return !!run;
}

async function ignoreMissing(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
  }
}
