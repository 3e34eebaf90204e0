import { and, asc, eq, gt, inArray, lt, lte, notExists, notInArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db';
import { outbox } from '../../db/schema';

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Claims due outbox rows for delivery: `FOR UPDATE SKIP LOCKED` lets several API processes
 * claim side by side, and pushing `next_attempt_at` past the lease keeps a claimed row from
 * being claimed again while it is delivered (or after its process died, until the lease ends).
 * A row waits while an earlier row of the same contact is undelivered and not claimed with it
 * (in flight elsewhere, backing off, or outside `ids`), so a contact's events reach its runs in
 * arrival order; rows claimed together are delivered in id order.
 */
export async function claimOutbox(
  db: Db,
  options: { limit: number; leaseMs: number; ids?: number[] },
): Promise<OutboxRow[]> {
  const earlier = alias(outbox, 'earlier');
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'pending'),
        lte(outbox.nextAttemptAt, sql`now()`),
        options.ids ? inArray(outbox.id, options.ids) : undefined,
        notExists(
          db
            .select({ id: earlier.id })
            .from(earlier)
            .where(
              and(
                eq(earlier.contactId, outbox.contactId),
                eq(earlier.status, 'pending'),
                lt(earlier.id, outbox.id),
                options.ids ? notInArray(earlier.id, options.ids) : gt(earlier.nextAttemptAt, sql`now()`),
              ),
            ),
        ),
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(options.limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(outbox)
    .set({
      attempts: sql`${outbox.attempts} + 1`,
      nextAttemptAt: sql`now() + ${`${options.leaseMs} milliseconds`}::interval`,
    })
    .where(inArray(outbox.id, due))
    .returning();
  return rows.sort((a, b) => a.id - b.id);
}

export async function markDelivered(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ status: 'delivered', deliveredAt: new Date(), lastError: null })
    .where(inArray(outbox.id, ids));
}

/** Puts a row back for a later attempt, or gives up on it (`dead`) when retrying cannot help. */
export async function markRetry(
  db: Db,
  id: number,
  options: { delayMs: number; error: string; dead?: boolean },
): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: options.dead ? 'dead' : 'pending',
      lastError: options.error.slice(0, 2000),
      nextAttemptAt: sql`now() + ${`${Math.max(0, Math.round(options.delayMs))} milliseconds`}::interval`,
    })
    .where(eq(outbox.id, id));
}
