import type { Client } from '@temporalio/client';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { contacts, events, journeyRuns, messages, outbox } from '../../db/schema';
import { getContact } from '../audience/contacts/contacts';
import { Unavailable } from '../errors';

export interface DeleteDeps {
  db: Db;
  temporal: Client;
}

export interface DeleteOutcome {
  id: string;
  cancelledRuns: number;
  erasedEvents: number;
  erasedMessages: number;
}

/**
 * Deletes a contact after terminating all its running journey runs at once, so nothing more is
 * sent to it. Its run rows, events and messages stay, unlinked, so journey counts hold. With
 * `erase` (GDPR), the personal content of its events (properties, context) and messages
 * (recipient, subject, body, payload) is wiped first; the rows themselves stay, so event and
 * send counts do not change. Its pending outbox rows are deleted with it: nothing more is owed
 * to a contact that is gone.
 */
export async function deleteContact(
  deps: DeleteDeps,
  workspaceId: string,
  contactId: string,
  options: { erase?: boolean } = {},
): Promise<DeleteOutcome> {
  const { db } = deps;
  await getContact(db, workspaceId, contactId);
  const cancelledRuns = await cancelContactRuns(deps, workspaceId, contactId, 'contact deleted');
  let erasedEvents = 0;
  let erasedMessages = 0;
  if (options.erase) {
    const erased = await db
      .update(events)
      .set({ properties: {}, context: {} })
      .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, contactId)))
      .returning({ id: events.id });
    erasedEvents = erased.length;
    const wiped = await db
      .update(messages)
      .set({ recipient: null, subject: null, body: null, payload: null, updatedAt: new Date() })
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.contactId, contactId)))
      .returning({ id: messages.id });
    erasedMessages = wiped.length;
  }
  await db.transaction(async (tx) => {
    // Events have no foreign key either: they are unlinked here, and stay.
    await tx
      .update(events)
      .set({ contactId: null })
      .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, contactId)));
    await tx.delete(contacts).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
    // The outbox has no foreign keys: the contact's pending rows go with it (a row written
    // meanwhile finds its event unlinked and is skipped by the dispatcher); delivered ones stay
    // as the history they are, holding ids only.
    await tx.delete(outbox).where(and(eq(outbox.contactId, contactId), sql`${outbox.status} = 'pending'`));
  });
  return { id: contactId, cancelledRuns, erasedEvents, erasedMessages };
}

/** Terminates every running run of a contact concurrently and marks them cancelled. */
export async function cancelContactRuns(
  deps: DeleteDeps,
  workspaceId: string,
  contactId: string,
  reason: string,
): Promise<number> {
  const running = await deps.db
    .select({ id: journeyRuns.id, workflowId: journeyRuns.workflowId })
    .from(journeyRuns)
    .where(
      and(
        eq(journeyRuns.workspaceId, workspaceId),
        eq(journeyRuns.contactId, contactId),
        eq(journeyRuns.status, 'running'),
      ),
    );
  if (running.length === 0) return 0;
  const results = await Promise.allSettled(
    running.map((run) => deps.temporal.workflow.getHandle(run.workflowId).terminate(reason)),
  );
  const failure = results.find(
    (r): r is PromiseRejectedResult =>
      r.status === 'rejected' && (r.reason as Error)?.name !== 'WorkflowNotFoundError',
  );
  if (failure) {
    throw new Unavailable(`Temporal did not cancel the contact's runs: ${(failure.reason as Error).message}`);
  }
  await deps.db
    .update(journeyRuns)
    .set({ status: 'cancelled', exitReason: reason, endedAt: new Date() })
    .where(
      and(
        inArray(
          journeyRuns.id,
          running.map((r) => r.id),
        ),
        eq(journeyRuns.status, 'running'),
      ),
    );
  return running.length;
}
