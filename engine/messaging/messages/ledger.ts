import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db';
import { messages } from '../../../db/schema';

export type MessageRow = typeof messages.$inferSelect;

/**
 * Ledger statuses: `deferred` (waiting for quiet hours or a cap) and `queued` (allowed, the
 * provider not called yet) come first; `sending` means the provider is being called, and
 * `unknown` that a retry found `sending` (the worker stopped before the outcome was recorded)
 * and did not send again; `suppressed` and `failed` end a send that never reached anyone;
 * after `sent`, provider and tracking feedback move it forward only.
 */
export type MessageStatus =
  | 'deferred'
  | 'queued'
  | 'sending'
  | 'unknown'
  | 'suppressed'
  | 'sent'
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'bounced'
  | 'failed';

/** The statuses each status may be reached from; anything else is ignored (late or duplicate feedback). */
// Feedback on a `sending` or `unknown` message settles it: the provider did have it.
const REACHABLE_FROM: Record<'delivered' | 'opened' | 'clicked' | 'bounced' | 'failed', MessageStatus[]> = {
  delivered: ['queued', 'sending', 'unknown', 'sent'],
  opened: ['queued', 'sending', 'unknown', 'sent', 'delivered'],
  clicked: ['queued', 'sending', 'unknown', 'sent', 'delivered', 'opened'],
  bounced: ['queued', 'sending', 'unknown', 'sent', 'delivered'],
  failed: ['queued', 'sending', 'unknown', 'sent'],
};

/** Statuses after which the provider may or may not have the message. */
export const OUTCOME_UNKNOWN_STATUSES: MessageStatus[] = ['sending', 'unknown'];

/** Statuses meaning the provider has the message: a retried send returns instead of sending again. */
export const ACCEPTED_STATUSES: MessageStatus[] = ['sent', 'delivered', 'opened', 'clicked', 'bounced'];

export async function findMessageByKey(db: Db, workspaceId: string, idempotencyKey: string) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.idempotencyKey, idempotencyKey)));
  return row as MessageRow | undefined;
}

export async function findMessage(db: Db, workspaceId: string, id: string) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, id)));
  return row as MessageRow | undefined;
}

export async function updateMessage(db: Db, id: string, changes: Partial<typeof messages.$inferInsert>) {
  await db
    .update(messages)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(messages.id, id));
}

/**
 * Moves a message forward on feedback (provider callback, open, click). Returns whether it
 * moved; a repeated or out-of-order report leaves the row as it is.
 */
export async function advanceStatus(
  db: Db,
  workspaceId: string,
  id: string,
  status: keyof typeof REACHABLE_FROM,
  reason?: string,
): Promise<boolean> {
  const moved = await db
    .update(messages)
    .set({ status, ...(reason ? { reason } : {}), updatedAt: new Date() })
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.id, id),
        inArray(messages.status, REACHABLE_FROM[status]),
      ),
    )
    .returning({ id: messages.id });
  return moved.length > 0;
}
