import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db';
import { messages } from '../../../db/schema';

export type MessageRow = typeof messages.$inferSelect;

/**
 * Ledger statuses: `deferred` (waiting for quiet hours or a cap) and `queued` (about to go to
 * the provider) come first; `suppressed` and `failed` end a send that never reached anyone;
 * after `sent`, provider and tracking feedback move it forward only.
 */
export type MessageStatus =
  | 'deferred'
  | 'queued'
  | 'suppressed'
  | 'sent'
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'bounced'
  | 'failed';

/** The statuses each status may be reached from; anything else is ignored (late or duplicate feedback). */
const REACHABLE_FROM: Record<'delivered' | 'opened' | 'clicked' | 'bounced' | 'failed', MessageStatus[]> = {
  delivered: ['queued', 'sent'],
  opened: ['queued', 'sent', 'delivered'],
  clicked: ['queued', 'sent', 'delivered', 'opened'],
  bounced: ['queued', 'sent', 'delivered'],
  failed: ['queued', 'sent'],
};

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
