import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import { messages } from '../../../db/schema';

/** The ledger as a marketer reads it: each message with its status and the reason it was or was not sent. */
export async function listMessages(
  db: Db,
  workspaceId: string,
  options: { contactId?: string; journeyId?: string; status?: string; limit?: number } = {},
) {
  const filters = [eq(messages.workspaceId, workspaceId)];
  if (options.contactId) filters.push(eq(messages.contactId, options.contactId));
  if (options.journeyId) filters.push(eq(messages.journeyId, options.journeyId));
  if (options.status) filters.push(eq(messages.status, options.status));
  return db
    .select({
      id: messages.id,
      channel: messages.channel,
      status: messages.status,
      reason: messages.reason,
      provider: messages.provider,
      providerId: messages.providerId,
      recipient: messages.recipient,
      subject: messages.subject,
      contactId: messages.contactId,
      journeyId: messages.journeyId,
      nodeId: messages.nodeId,
      transactional: messages.transactional,
      createdAt: messages.createdAt,
      updatedAt: messages.updatedAt,
    })
    .from(messages)
    .where(and(...filters))
    .orderBy(desc(messages.createdAt))
    .limit(options.limit ?? 100);
}
