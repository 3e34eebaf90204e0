import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts, events, outbox } from '../../../db/schema';
import { aliasContact, type ResolvedContact, resolveContact } from './identity';
import type { NormalizedMessage } from './normalize';
import { applyContactUpdate, type StoreResult } from './store';
import type { ContactUpdate } from './traits';
import { type Tx, withRetriedTransaction } from './tx';

export interface BatchItem {
  index: number;
  message: NormalizedMessage;
  update?: ContactUpdate;
}

/** A contact as the batch sees it; `id` is unset until a new contact is inserted. */
interface ContactRef {
  id?: string;
  externalId: string | null;
  anonymousId: string | null;
}

interface StoredEvent {
  item: BatchItem;
  eventId: string;
}

/**
 * Stores a batch in one transaction, set-based: the events in one multi-row insert (the first
 * write of a message id wins, in the batch and against concurrent requests), the contacts they
 * name found in one select and created in one insert, their contact ids and outbox rows each in
 * one statement. An event that claims or merges a contact (an `alias`, an anonymous visitor who
 * identifies) is resolved on its own between the set-based chunks, in arrival order, so the
 * outcome is the one of storing the messages one after another.
 */
export async function storeBatch(
  db: Db,
  workspaceId: string,
  items: BatchItem[],
): Promise<Map<number, StoreResult>> {
  return withRetriedTransaction(db, async (tx) => {
    const results = new Map<number, StoreResult>();
    const firstOfId = new Map<string, BatchItem>();
    for (const item of items) {
      if (firstOfId.has(item.message.messageId)) results.set(item.index, { status: 'duplicate' });
      else firstOfId.set(item.message.messageId, item);
    }
    const fresh = [...firstOfId.values()];
    if (fresh.length === 0) return results;

    // Sorted by message id so concurrent batches lock their rows in one order (no deadlock).
    const inserted = await tx
      .insert(events)
      .values(
        [...fresh]
          .sort((a, b) => (a.message.messageId < b.message.messageId ? -1 : 1))
          .map(({ message }) => ({
            workspaceId,
            messageId: message.messageId,
            type: message.type,
            name: message.name,
            properties: message.properties,
            context: message.context,
            timestamp: message.timestamp,
            receivedAt: message.receivedAt,
          })),
      )
      .onConflictDoNothing()
      .returning({ id: events.id, messageId: events.messageId });
    const eventIds = new Map(inserted.map((row) => [row.messageId, row.id]));
    const stored: StoredEvent[] = [];
    for (const item of fresh) {
      const eventId = eventIds.get(item.message.messageId);
      if (eventId) stored.push({ item, eventId });
      else results.set(item.index, { status: 'duplicate' });
    }

    const identities = new IdentityMap(workspaceId);
    await identities.load(tx, stored);
    let chunk: { event: StoredEvent; ref: ContactRef }[] = [];
    for (const [position, event] of stored.entries()) {
      const ref = identities.plan(event.item.message);
      if (ref) {
        chunk.push({ event, ref });
        continue;
      }
      await storeChunk(tx, workspaceId, chunk, results);
      chunk = [];
      await storeOnItsOwn(tx, workspaceId, event, results);
      // A claim or merge changed contacts the rest of the batch may name: read them again.
      await identities.load(tx, stored.slice(position + 1));
    }
    await storeChunk(tx, workspaceId, chunk, results);
    return results;
  });
}

/** The batch's contacts by user id and anonymous id, including those it is about to create. */
class IdentityMap {
  private byUser = new Map<string, ContactRef>();
  private byAnonymous = new Map<string, ContactRef>();

  constructor(private workspaceId: string) {}

  async load(tx: Tx, stored: StoredEvent[]): Promise<void> {
    this.byUser.clear();
    this.byAnonymous.clear();
    const userIds = new Set<string>();
    const anonymousIds = new Set<string>();
    for (const { item } of stored) {
      if (item.message.userId) userIds.add(item.message.userId);
      if (item.message.anonymousId) anonymousIds.add(item.message.anonymousId);
    }
    if (userIds.size === 0 && anonymousIds.size === 0) return;
    const rows = await tx
      .select({ id: contacts.id, externalId: contacts.externalId, anonymousId: contacts.anonymousId })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, this.workspaceId),
          or(
            userIds.size ? inArray(contacts.externalId, [...userIds]) : undefined,
            anonymousIds.size ? inArray(contacts.anonymousId, [...anonymousIds]) : undefined,
          ),
        ),
      );
    for (const row of rows) this.remember(row);
  }

  private remember(ref: ContactRef): void {
    if (ref.externalId !== null) this.byUser.set(ref.externalId, ref);
    if (ref.anonymousId !== null) this.byAnonymous.set(ref.anonymousId, ref);
  }

  /**
   * The contact of a message that needs no claim or merge (found, or new), as `resolveContact`
   * would decide; undefined when the message must be resolved on its own.
   */
  plan(message: NormalizedMessage): ContactRef | undefined {
    const { userId, anonymousId } = message;
    if (message.type === 'alias') return undefined;
    if (userId) {
      const known = this.byUser.get(userId);
      const anonymous = anonymousId ? this.byAnonymous.get(anonymousId) : undefined;
      if (known) {
        if (!anonymousId || anonymous === known) return known;
        if (anonymous) return anonymous.externalId === null ? undefined : known;
        return known.anonymousId === null ? undefined : known;
      }
      if (anonymous?.externalId === null) return undefined;
      const ref: ContactRef = { externalId: userId, anonymousId: anonymous ? null : (anonymousId ?? null) };
      this.remember(ref);
      return ref;
    }
    if (!anonymousId) return undefined;
    const found = this.byAnonymous.get(anonymousId);
    if (found) return found;
    const ref: ContactRef = { externalId: null, anonymousId };
    this.remember(ref);
    return ref;
  }
}

/** Creates the chunk's new contacts, applies its identify traits, links its events, writes its outbox rows. */
async function storeChunk(
  tx: Tx,
  workspaceId: string,
  chunk: { event: StoredEvent; ref: ContactRef }[],
  results: Map<number, StoreResult>,
): Promise<void> {
  if (chunk.length === 0) return;
  const exitWorkflowIds = new Map<ContactRef, string[]>();
  const creating = [...new Set(chunk.map((c) => c.ref).filter((ref) => !ref.id))].sort((a, b) =>
    `${a.externalId}\u0001${a.anonymousId}` < `${b.externalId}\u0001${b.anonymousId}` ? -1 : 1,
  );
  if (creating.length) {
    const created = await tx
      .insert(contacts)
      .values(
        creating.map((ref) => ({
          workspaceId,
          externalId: ref.externalId ?? undefined,
          anonymousId: ref.anonymousId ?? undefined,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: contacts.id, externalId: contacts.externalId, anonymousId: contacts.anonymousId });
    const byUser = new Map(created.filter((r) => r.externalId).map((r) => [r.externalId, r.id]));
    const byAnonymous = new Map(created.filter((r) => !r.externalId).map((r) => [r.anonymousId, r.id]));
    for (const ref of creating) {
      ref.id = ref.externalId ? byUser.get(ref.externalId) : byAnonymous.get(ref.anonymousId);
      if (ref.id) continue;
      // A concurrent request created it first: resolve as a single message would (rare).
      const resolved: ResolvedContact = await resolveContact(tx, workspaceId, {
        userId: ref.externalId ?? undefined,
        anonymousId: ref.anonymousId ?? undefined,
      });
      ref.id = resolved.contactId;
      if (resolved.exitWorkflowIds.length) exitWorkflowIds.set(ref, resolved.exitWorkflowIds);
    }
  }
  for (const { event, ref } of chunk) {
    const { message, update } = event.item;
    if (update) await applyContactUpdate(tx, ref.id as string, update, message.timestamp);
  }
  await tx.execute(sql`
    update ${events} set contact_id = linked.contact_id
    from (select unnest(${sql.param(chunk.map((c) => c.event.eventId))}::uuid[]) as event_id,
                 unnest(${sql.param(chunk.map((c) => c.ref.id))}::uuid[]) as contact_id) linked
    where ${events.id} = linked.event_id`);
  const rows = await tx
    .insert(outbox)
    .values(
      chunk.map(({ event, ref }) => {
        const exits = exitWorkflowIds.get(ref);
        exitWorkflowIds.delete(ref);
        return {
          workspaceId,
          eventId: event.eventId,
          contactId: ref.id as string,
          work: exits ? { exitWorkflowIds: exits } : {},
        };
      }),
    )
    .returning({ id: outbox.id, eventId: outbox.eventId });
  const outboxIds = new Map(rows.map((row) => [row.eventId, row.id]));
  for (const { event, ref } of chunk) {
    results.set(event.item.index, {
      status: 'stored',
      eventId: event.eventId,
      contactId: ref.id as string,
      outboxId: outboxIds.get(event.eventId) as number,
    });
  }
}

/** An alias, claim or merge: resolved as a single message is, inside the batch's transaction. */
async function storeOnItsOwn(
  tx: Tx,
  workspaceId: string,
  { item, eventId }: StoredEvent,
  results: Map<number, StoreResult>,
): Promise<void> {
  const { message, update } = item;
  const resolved =
    message.type === 'alias' && message.userId && message.previousId
      ? await aliasContact(tx, workspaceId, message.userId, message.previousId)
      : await resolveContact(tx, workspaceId, message);
  if (update) await applyContactUpdate(tx, resolved.contactId, update, message.timestamp);
  await tx.update(events).set({ contactId: resolved.contactId }).where(eq(events.id, eventId));
  const [row] = await tx
    .insert(outbox)
    .values({
      workspaceId,
      eventId,
      contactId: resolved.contactId,
      work: resolved.exitWorkflowIds.length ? { exitWorkflowIds: resolved.exitWorkflowIds } : {},
    })
    .returning({ id: outbox.id });
  results.set(item.index, { status: 'stored', eventId, contactId: resolved.contactId, outboxId: row.id });
}
