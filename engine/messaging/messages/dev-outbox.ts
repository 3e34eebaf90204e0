import { and, desc, eq } from 'drizzle-orm';
import { devOutbox as devOutboxConnector } from '../../../connectors';
import type { Db } from '../../../db';
import { messages } from '../../../db/schema';

/** The newest messages the dev outbox captured, rendered as they would have been sent. */
export async function devOutbox(
  db: Db,
  workspaceId: string,
  options: { channel?: string; limit?: number } = {},
) {
  const filters = [eq(messages.workspaceId, workspaceId), eq(messages.provider, devOutboxConnector.id)];
  if (options.channel) filters.push(eq(messages.channel, options.channel));
  const rows = await db
    .select()
    .from(messages)
    .where(and(...filters))
    .orderBy(desc(messages.createdAt))
    .limit(options.limit ?? 50);
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    status: row.status,
    recipient: row.recipient,
    subject: row.subject,
    text: row.body,
    html: typeof row.payload?.html === 'string' ? row.payload.html : null,
    headers: (row.payload?.headers as Record<string, string> | undefined) ?? {},
    contactId: row.contactId,
    journeyId: row.journeyId,
    nodeId: row.nodeId,
    createdAt: row.createdAt,
  }));
}
