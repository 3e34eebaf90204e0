import type { Db } from '../../../db';
import { events, outbox } from '../../../db/schema';
import { withRetriedTransaction } from './tx';

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
 * row in one transaction, so the dispatcher starts matching journeys, signals running runs and
 * re-evaluates segments. Returns false for a repeated message id.
 */
export async function storeContactEvent(
  db: Db,
  event: ContactEvent,
): Promise<{ stored: boolean; eventId?: string }> {
  return withRetriedTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(events)
      .values({
        workspaceId: event.workspaceId,
        contactId: event.contactId,
        messageId: event.messageId,
        type: event.type ?? 'track',
        name: event.name,
        properties: event.properties ?? {},
        context: event.context ?? {},
        timestamp: event.timestamp ?? new Date(),
      })
      .onConflictDoNothing()
      .returning({ id: events.id });
    if (!row) return { stored: false };
    await tx
      .insert(outbox)
      .values({ workspaceId: event.workspaceId, eventId: row.id, contactId: event.contactId });
    return { stored: true, eventId: row.id };
  });
}
