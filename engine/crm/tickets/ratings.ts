import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { ticketRatings, tickets } from '../../../db/schema';
import { Conflict, DomainError, NotFound } from '../../errors';
import type { SecretBox } from '../../identity/secret-box';
import { CSAT_RECEIVED, storeTicketEvent } from './ticket-events';

export type TicketRatingRow = typeof ticketRatings.$inferSelect;

export class RatingLinkInvalid extends DomainError {
  constructor() {
    super('rating_link_invalid', 'This rating link is not valid', 'invalid', 'token');
  }
}

const payloadSchema = z.object({ w: z.string(), t: z.string() });

const sign = (box: SecretBox, body: string) =>
  createHmac('sha256', box.derive('ticket-rating')).update(body).digest('base64url');

/** `<payload>.<hmac>`: names the ticket it rates, signed so no other ticket can be rated with it. */
export function createRatingToken(box: SecretBox, workspaceId: string, ticketId: string): string {
  const body = Buffer.from(JSON.stringify({ w: workspaceId, t: ticketId })).toString('base64url');
  return `${body}.${sign(box, body)}`;
}

export function verifyRatingToken(box: SecretBox, raw: string): { workspaceId: string; ticketId: string } {
  const [body, signature, extra] = raw.split('.');
  if (!body || !signature || extra !== undefined) throw new RatingLinkInvalid();
  const expected = Buffer.from(sign(box, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new RatingLinkInvalid();
  try {
    const { w, t } = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return { workspaceId: w, ticketId: t };
  } catch {
    throw new RatingLinkInvalid();
  }
}

/** The public page's link: `<publicUrl>/t/r/<token>`. */
export function ratingUrl(box: SecretBox, publicUrl: string, workspaceId: string, ticketId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/t/r/${createRatingToken(box, workspaceId, ticketId)}`;
}

export const ratingInputSchema = z.object({
  rating: z.coerce.number().int().min(1).max(5).describe('1 (very unhappy) to 5 (very happy)'),
  comment: z.string().trim().max(5_000).optional(),
});
export type RatingInput = z.input<typeof ratingInputSchema>;

/** What the public rating page shows. */
export async function ratingSubject(
  db: Db,
  box: SecretBox,
  token: string,
): Promise<{ subject: string; rating: number | null; comment: string | null }> {
  const { workspaceId, ticketId } = verifyRatingToken(box, token);
  const [row] = await db
    .select({ subject: tickets.subject, rating: ticketRatings.rating, comment: ticketRatings.comment })
    .from(tickets)
    .leftJoin(ticketRatings, eq(ticketRatings.ticketId, tickets.id))
    .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)));
  if (!row) throw new NotFound('Ticket', ticketId);
  return row;
}

/**
 * Records the contact's rating of a resolved (or closed) ticket, with the agent it was assigned
 * to, and emits `CSAT Received`. Rating again replaces the rating (one per ticket) and emits a
 * new event.
 */
export async function recordRating(
  db: Db,
  box: SecretBox,
  token: string,
  raw: RatingInput,
): Promise<TicketRatingRow> {
  const { workspaceId, ticketId } = verifyRatingToken(box, token);
  const input = ratingInputSchema.parse(raw);
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    const [ticket] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.workspaceId, workspaceId), eq(tickets.id, ticketId)));
    if (!ticket) throw new NotFound('Ticket', ticketId);
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') {
      throw new Conflict('ticket_not_resolved', 'Only a resolved ticket can be rated', 'rating');
    }
    const now = new Date();
    const values = {
      workspaceId,
      ticketId,
      contactId: ticket.contactId,
      agentUserId: ticket.assigneeUserId,
      rating: input.rating,
      comment: input.comment || null,
      updatedAt: now,
    };
    const [rating] = await tx
      .insert(ticketRatings)
      .values(values)
      .onConflictDoUpdate({ target: ticketRatings.ticketId, set: values })
      .returning();
    await storeTicketEvent(
      tx,
      ticket,
      CSAT_RECEIVED,
      `csat:${now.toISOString()}`,
      { rating: rating.rating, comment: rating.comment },
      now,
    );
    return rating;
  });
}
