import type { Db } from '../../../db';
import { storeContactEvent } from '../../audience/ingest/contact-event';
import type { ChannelDeps } from '../channels/deps';

/**
 * Feedback (opens, clicks, unsubscribes, bounces) becomes an event on the contact, stored once
 * under a deterministic message id on the ingest path: the outbox dispatcher then signals the
 * contact's running runs (waits, goals, exit criteria), starts journeys the event triggers and
 * re-evaluates segments.
 */
export async function recordContactEvent(
  deps: Pick<ChannelDeps, 'db'>,
  input: {
    workspaceId: string;
    contactId: string;
    messageId: string;
    name: string;
    properties: Record<string, unknown>;
  },
): Promise<boolean> {
  const { stored } = await storeContactEvent(deps.db as Db, {
    ...input,
    context: { source: 'wayline-tracking' },
  });
  return stored;
}
