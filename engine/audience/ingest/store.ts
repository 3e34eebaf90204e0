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
    if (update) await applyContactUpdate(tx, resolved.contactId, update, message.timestamp);
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

/**
 * Per trait, the value with the latest event time wins: a trait is written only when this
 * event is at least as recent as the one that wrote the kept value (`trait_times`), so an
 * older identify arriving late changes nothing but the timeline. One statement, decided in SQL
 * against the row's own times, so it stays correct under concurrent writers and can run
 * set-based for many contacts.
 */
export async function applyContactUpdate(
  tx: Tx,
  contactId: string,
  update: ContactUpdate,
  eventTime: Date,
): Promise<void> {
  const at = eventTime.toISOString();
  const newer = (key: string) =>
    sql`coalesce((${contacts.traitTimes} ->> ${key})::timestamptz, '-infinity') <= ${at}::timestamptz`;
  const set: Record<string, unknown> = { updatedAt: new Date() };
  const written: string[] = [];
  for (const column of ['email', 'phone', 'timezone'] as const) {
    if (update[column] === undefined) continue;
    set[column] = sql`case when ${newer(column)} then ${update[column]} else ${contacts[column]} end`;
    written.push(column);
  }
  const attributes = JSON.stringify(update.attributes);
  const newerAttributes = sql`(select coalesce(jsonb_object_agg(n.key, n.value), '{}'::jsonb)
    from jsonb_each(${attributes}::jsonb) n
    where coalesce((${contacts.traitTimes} ->> n.key)::timestamptz, '-infinity') <= ${at}::timestamptz)`;
  if (Object.keys(update.attributes).length > 0) {
    set.attributes = sql`${contacts.attributes} || ${newerAttributes}`;
  }
  const times = sql`(select coalesce(jsonb_object_agg(k, to_jsonb(${at}::text)), '{}'::jsonb)
    from jsonb_object_keys(${attributes}::jsonb || ${JSON.stringify(Object.fromEntries(written.map((c) => [c, true])))}::jsonb) k
    where coalesce((${contacts.traitTimes} ->> k)::timestamptz, '-infinity') <= ${at}::timestamptz)`;
  set.traitTimes = sql`${contacts.traitTimes} || ${times}`;
  await tx.update(contacts).set(set).where(eq(contacts.id, contactId));
}
