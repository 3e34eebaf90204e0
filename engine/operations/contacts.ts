import { eq } from 'drizzle-orm';
import { contacts, events, outbox } from '../../db/schema';
import { type ContactRow, findContact } from '../audience/contacts/contact-store';
import {
  type ContactInput,
  type ContactUpdate,
  updateContact as changeContact,
  getContact,
  createContact as insertContact,
} from '../audience/contacts/contacts';
import { mergeContacts } from '../audience/ingest/merge-contacts';
import { withRetriedTransaction } from '../audience/ingest/tx';
import type { TemporalDeps } from '../automation/runs/enroll';
import { Conflict, InvalidInput } from '../errors';
import { contactChanged } from './segment-membership';

/** Creates a contact; segments it matches at once take it in and their journeys enroll it. */
export async function createContact(
  deps: TemporalDeps,
  workspaceId: string,
  input: ContactInput,
): Promise<ContactRow> {
  const contact = await insertContact(deps.db, workspaceId, input);
  await contactChanged(deps, workspaceId, contact.id);
  return contact;
}

/** Changes a contact (attributes merge); its segments are re-evaluated at once. */
export async function updateContact(
  deps: TemporalDeps,
  workspaceId: string,
  contactId: string,
  update: ContactUpdate,
): Promise<ContactRow> {
  const contact = await changeContact(deps.db, workspaceId, contactId, update);
  await contactChanged(deps, workspaceId, contact.id);
  return contact;
}

/**
 * Merges contact `sourceId` into `targetId` by hand: the target keeps its own values and takes
 * the source's where it has none; events, messages, runs and lists move over; the source is
 * deleted. An identify event on the target (through the outbox) ends the source's running runs
 * and re-evaluates the target's segments.
 */
export async function mergeContactsByHand(
  deps: TemporalDeps,
  workspaceId: string,
  targetId: string,
  sourceId: string,
): Promise<ContactRow> {
  if (sourceId === targetId)
    throw new InvalidInput('merge_same_contact', 'A contact cannot be merged into itself', 'sourceId');
  await getContact(deps.db, workspaceId, targetId);
  const source = await findContact(deps.db, workspaceId, sourceId);
  if (!source) throw new InvalidInput('contact_not_found', `Contact ${sourceId} does not exist`, 'sourceId');
  if (source.externalId && (await getContact(deps.db, workspaceId, targetId)).externalId) {
    // Two known user ids would leave one of them unreachable.
    throw new Conflict(
      'merge_two_user_ids',
      'Both contacts have a userId; clear one of them before merging',
      'sourceId',
    );
  }
  await withRetriedTransaction(deps.db, async (tx) => {
    const exitWorkflowIds = await mergeContacts(tx, workspaceId, sourceId, targetId);
    if (source.externalId) {
      await tx.update(contacts).set({ externalId: source.externalId }).where(eq(contacts.id, targetId));
    }
    const [event] = await tx
      .insert(events)
      .values({
        workspaceId,
        contactId: targetId,
        messageId: `merge:${sourceId}:${targetId}`,
        type: 'identify',
        name: null,
        properties: { mergedContactId: sourceId },
        timestamp: new Date(),
      })
      .onConflictDoNothing()
      .returning({ id: events.id });
    if (event) {
      await tx
        .insert(outbox)
        .values({ workspaceId, eventId: event.id, contactId: targetId, work: { exitWorkflowIds } });
    }
  });
  return getContact(deps.db, workspaceId, targetId);
}
