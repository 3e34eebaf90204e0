import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { events, outbox } from '../../../db/schema';
import { retried } from './tx';

export interface ContactEvent {
  workspaceId: string;
  contactId: string;
  /** Deterministic, so a retried producer stores the event once. */
  messageId: string;
  /** `track` (default), or `identify` for a change to the contact itself (traits, lists). */
  type?: 'track' | 'identify';
  /** The event name; null for an identify. */
  name: string | null;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
  timestamp?: Date;
}

/**
 * Stores an event Wayline itself produces for a known contact (a node's `emitEvent`, opens,
 * clicks, unsubscribes, bounces) on the same path as tracked events: the event and its outbox
 * row together, so the dispatcher starts matching journeys, signals running runs and
 * re-evaluates segments. Returns false for a repeated message id.
 */
export async function storeContactEvent(
  db: Db,
  event: ContactEvent,
): Promise<{ stored: boolean; eventId?: string }> {
  // One statement (the outbox row a data-modifying WITH of the event's insert): atomic without
  // a transaction of its own, one round trip instead of four.
  const [stored, queued] = contactEventWith(db, event);
  const [row] = await retried(() =>
    db.with(stored, queued).select({ id: sql<string>`id::text` }).from(stored),
  );
  return row ? { stored: true, eventId: row.id } : { stored: false };
}

/**
 * The event's insert and its outbox row as data-modifying WITH queries: `contact_event`, which
 * returns the new event's id (none for a repeated message id), and `contact_event_outbox`. For a
 * statement of their own (`storeContactEvent`) or another's, such as the contact update the event
 * reports (`db.with(...)`), which then stores both atomically and in one round trip. With `when`,
 * the event is stored only where that condition holds in the statement's snapshot.
 */
export function contactEventWith(db: Db, event: ContactEvent, when?: SQL) {
  const stored = db.$with('contact_event', { id: sql<string>`id` }).as(sql`
    insert into ${events} (workspace_id, contact_id, message_id, type, name, properties, context, timestamp)
    select ${event.workspaceId}::uuid, ${event.contactId}::uuid, ${event.messageId}::text,
           ${event.type ?? 'track'}::text, ${event.name}::text, ${JSON.stringify(event.properties ?? {})}::jsonb,
           ${JSON.stringify(event.context ?? {})}::jsonb, ${(event.timestamp ?? new Date()).toISOString()}::timestamptz
    ${when ? sql`where ${when}` : sql``}
    on conflict do nothing
    returning id`);
  const queued = db.$with('contact_event_outbox', { eventId: sql<string>`event_id` }).as(sql`
    insert into ${outbox} (workspace_id, event_id, contact_id)
    select ${event.workspaceId}::uuid, id, ${event.contactId}::uuid from ${stored}
    returning event_id`);
  return [stored, queued] as const;
}
