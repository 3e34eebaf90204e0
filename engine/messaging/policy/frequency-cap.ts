import { and, desc, eq, gt, inArray } from 'drizzle-orm';
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

/** A counted marketing send already in the ledger (or claimed earlier in the same batch). */
export interface CountedSend {
  contactId: string | null;
  channel: string;
  journeyId: string | null;
  idempotencyKey: string;
  createdAt: number;
}

/**
 * The instant a window holds fewer than `max` of `sends` again, or null when it already does.
 * `sends` are the counted sends inside the window, in any order; the one that leaves the window
 * first among the newest `max` frees a slot.
 */
export function releasedAt(sends: number[], max: number, windowMs: number): number | null {
  if (sends.length < max) return null;
  const ascending = [...sends].sort((a, b) => a - b);
  return ascending[ascending.length - max] + windowMs;
}

/**
 * When a contact is under a cap again, or null when a send is allowed now: counts marketing
 * messages within the window on `channel` across every journey, or only those of `journeyId` (a
 * journey's own cap), on every channel when `channel` is absent; the send's own key never counts.
 */
export function capReleasedAt(
  sends: CountedSend[],
  input: {
    contactId: string;
    channel?: string;
    journeyId?: string;
    idempotencyKey: string;
    now: number;
    cap: { max: number; windowHours: number };
  },
): number | null {
  const windowMs = input.cap.windowHours * 3_600_000;
  const since = input.now - windowMs;
  const counted = sends
    .filter(
      (s) =>
        s.contactId === input.contactId &&
        (!input.channel || s.channel === input.channel) &&
        (!input.journeyId || s.journeyId === input.journeyId) &&
        s.idempotencyKey !== input.idempotencyKey &&
        s.createdAt > since,
    )
    .map((s) => s.createdAt);
  return releasedAt(counted, input.cap.max, windowMs);
}

/**
 * The workspace's send rate on a channel: when `perMinute` marketing sends already went out in
 * the last minute, the instant the oldest of them leaves that minute; otherwise null.
 */
export function rateReleasedAt(
  sends: CountedSend[],
  input: { idempotencyKey: string; now: number; perMinute: number },
): number | null {
  const counted = sends
    .filter((s) => s.idempotencyKey !== input.idempotencyKey && s.createdAt > input.now - 60_000)
    .map((s) => s.createdAt);
  return releasedAt(counted, input.perMinute, 60_000);
}

const countedColumns = {
  contactId: messages.contactId,
  channel: messages.channel,
  journeyId: messages.journeyId,
  idempotencyKey: messages.idempotencyKey,
  createdAt: messages.createdAt,
};

const asCounted = (rows: { createdAt: Date }[]) =>
  rows.map((r) => ({ ...r, createdAt: r.createdAt.getTime() })) as CountedSend[];

/** The counted marketing sends of these contacts since `since` (one statement for a whole batch). */
export async function loadContactSends(
  db: Db,
  workspaceId: string,
  contactIds: string[],
  since: number,
): Promise<CountedSend[]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .select(countedColumns)
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        inArray(messages.contactId, contactIds),
        eq(messages.transactional, false),
        inArray(messages.status, COUNTED_STATUSES),
        gt(messages.createdAt, new Date(since)),
      ),
    );
  return asCounted(rows);
}

/**
 * The newest `limit` counted marketing sends of the workspace on a channel since `since`: enough
 * for a rate check when `limit` is the rate plus the batch's own keys (which never count).
 */
export async function loadChannelSends(
  db: Db,
  input: { workspaceId: string; channel: string; since: number; limit: number },
): Promise<CountedSend[]> {
  const rows = await db
    .select(countedColumns)
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, input.workspaceId),
        eq(messages.channel, input.channel),
        eq(messages.transactional, false),
        inArray(messages.status, COUNTED_STATUSES),
        gt(messages.createdAt, new Date(input.since)),
      ),
    )
    .orderBy(desc(messages.createdAt))
    .limit(input.limit);
  return asCounted(rows);
}
