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
 * marketing messages on the channel within the window across every journey, or only those of
 * `journeyId` (a journey's own cap), on every channel when `channel` is absent.
 */
export async function capReleasedAt(
  db: Db,
  input: {
    workspaceId: string;
    contactId: string;
    channel?: string;
    journeyId?: string;
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
        input.channel ? eq(messages.channel, input.channel) : undefined,
        input.journeyId ? eq(messages.journeyId, input.journeyId) : undefined,
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

/**
 * The workspace's send rate on a channel: when `perMinute` marketing sends already went out in
 * the last minute, the instant the oldest of them leaves that minute; otherwise null.
 */
export async function rateReleasedAt(
  db: Db,
  input: { workspaceId: string; channel: string; idempotencyKey: string; now: number; perMinute: number },
): Promise<number | null> {
  const recent = await db
    .select({ createdAt: messages.createdAt })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, input.workspaceId),
        eq(messages.channel, input.channel),
        eq(messages.transactional, false),
        inArray(messages.status, COUNTED_STATUSES),
        ne(messages.idempotencyKey, input.idempotencyKey),
        gt(messages.createdAt, new Date(input.now - 60_000)),
      ),
    )
    .orderBy(asc(messages.createdAt));
  if (recent.length < input.perMinute) return null;
  return recent[recent.length - input.perMinute].createdAt.getTime() + 60_000;
}
