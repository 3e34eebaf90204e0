import { and, asc, eq, gt, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../../db';
import { messages } from '../../../db/schema';

/**
 * Ledger statuses that count as a send toward a cap (suppressed and failed sends do not; one
 * whose outcome is unknown may have reached the contact, so it counts).
 */
export const COUNTED_STATUSES = [
  'queued',
  'sending',
  'unknown',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
];

/**
 * The instant the contact is under the cap again, or null when a send is allowed now. Counts
 * marketing messages on the channel within the window across every journey.
 */
export async function capReleasedAt(
  db: Db,
  input: {
    workspaceId: string;
    contactId: string;
    channel: string;
    idempotencyKey: string;
    now: number;
    cap: { max: number; windowHours: number };
  },
): Promise<number | null> {
  const windowMs = input.cap.windowHours * 3_600_000;
  const recent = await db
    .select({ createdAt: messages.createdAt })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, input.workspaceId),
        eq(messages.contactId, input.contactId),
        eq(messages.channel, input.channel),
        eq(messages.transactional, false),
        inArray(messages.status, COUNTED_STATUSES),
        ne(messages.idempotencyKey, input.idempotencyKey),
        gt(messages.createdAt, new Date(input.now - windowMs)),
      ),
    )
    .orderBy(asc(messages.createdAt));
  if (recent.length < input.cap.max) return null;
  // The send that leaves the window first frees a slot.
  return recent[recent.length - input.cap.max].createdAt.getTime() + windowMs;
}
