import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../../db';
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
  const result = await retried(() =>
    db.execute(sql`
      with e as (
        insert into ${events} (workspace_id, contact_id, message_id, type, name, properties, context, timestamp)
        values (${event.workspaceId}, ${event.contactId}, ${event.messageId}, ${event.type ?? 'track'},
                ${event.name}, ${JSON.stringify(event.properties ?? {})}::jsonb,
                ${JSON.stringify(event.context ?? {})}::jsonb, ${(event.timestamp ?? new Date()).toISOString()})
        on conflict do nothing
        returning id
      ), o as (
        insert into ${outbox} (workspace_id, event_id, contact_id)
        select ${event.workspaceId}, e.id, ${event.contactId} from e
      )
      select id::text as id from e`),
  );
  const [row] = rowsOf<{ id: string }>(result);
  return row ? { stored: true, eventId: row.id } : { stored: false };
}
