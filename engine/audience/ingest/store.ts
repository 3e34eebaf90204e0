import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts, events, outbox } from '../../../db/schema';
import { aliasContact, resolveContact } from './identity';
import type { NormalizedMessage } from './normalize';
import type { ContactUpdate } from './traits';
import { type Tx, withRetriedTransaction } from './tx';

export type StoreResult =
  | { status: 'stored'; eventId: string; contactId: string; outboxId: number }
  | { status: 'duplicate' };

/**
 * Stores one message in one transaction: the event (first write of a message id wins), its
 * contact (created, claimed or merged), the identify traits, and the outbox row that carries it
 * to Temporal. A repeat of the message id changes nothing.
 */
export async function storeMessage(
  db: Db,
  workspaceId: string,
  message: NormalizedMessage,
  update?: ContactUpdate,
): Promise<StoreResult> {
  return withRetriedTransaction(db, async (tx) => {
    // The event row goes first: its unique (workspace, message id) serializes duplicates, and a
    // duplicate leaves before touching the contact.
    const [event] = await tx
      .insert(events)
      .values({
        workspaceId,
        messageId: message.messageId,
        type: message.type,
        name: message.name,
        properties: message.properties,
        context: message.context,
        timestamp: message.timestamp,
        receivedAt: message.receivedAt,
      })
      .onConflictDoNothing()
      .returning({ id: events.id });
    if (!event) return { status: 'duplicate' } as const;

    const resolved =
      message.type === 'alias' && message.userId && message.previousId
        ? await aliasContact(tx, workspaceId, message.userId, message.previousId)
        : await resolveContact(tx, workspaceId, message);
    if (update) await applyContactUpdate(tx, resolved.contactId, update);
    await tx.update(events).set({ contactId: resolved.contactId }).where(eq(events.id, event.id));
    const [row] = await tx
      .insert(outbox)
      .values({
        workspaceId,
        eventId: event.id,
        contactId: resolved.contactId,
        work: resolved.exitWorkflowIds.length ? { exitWorkflowIds: resolved.exitWorkflowIds } : {},
      })
      .returning({ id: outbox.id });
    return { status: 'stored', eventId: event.id, contactId: resolved.contactId, outboxId: row.id } as const;
  });
}

async function applyContactUpdate(tx: Tx, contactId: string, update: ContactUpdate): Promise<void> {
  const set: Record<string, unknown> = { updatedAt: new Date() };
  if (update.email !== undefined) set.email = update.email;
  if (update.phone !== undefined) set.phone = update.phone;
  if (update.timezone !== undefined) set.timezone = update.timezone;
  if (Object.keys(update.attributes).length > 0) {
    set.attributes = sql`${contacts.attributes} || ${JSON.stringify(update.attributes)}::jsonb`;
  }
  await tx.update(contacts).set(set).where(eq(contacts.id, contactId));
}
