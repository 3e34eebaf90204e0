import { and, count, eq, inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { events, journeyRuns, messages } from '../../../db/schema';

/** What became of the messages one send node sent: counts, and rates of the messages sent. */
export interface MessageStats {
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  bounced: number;
  /** Messages whose run then converted (reached the journey's goal). */
  converted: number;
  rates: {
    delivered: number;
    opened: number;
    clicked: number;
    unsubscribed: number;
    bounced: number;
    converted: number;
  };
}

const SENT = ['sent', 'delivered', 'opened', 'clicked', 'bounced'];

const counted = (condition: SQL) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);

/**
 * Per send node of a journey (one version, or all): the messages that reached a provider and
 * how far each got (a click implies an open, an open a delivery), unsubscribes made from them,
 * and the runs that converted after them. One set-based statement; test messages are left out.
 */
export async function messageStatsByNode(
  db: Db,
  workspaceId: string,
  journeyId: string,
  version?: number,
): Promise<Record<string, MessageStats>> {
  const rows = await db
    .select({
      nodeId: messages.nodeId,
      sent: count(),
      delivered: counted(inArray(messages.status, ['delivered', 'opened', 'clicked'])),
      opened: counted(inArray(messages.status, ['opened', 'clicked'])),
      clicked: counted(eq(messages.status, 'clicked')),
      bounced: counted(eq(messages.status, 'bounced')),
      unsubscribed: counted(
        sql`exists (select 1 from ${events} e where e.workspace_id = ${messages.workspaceId} and e.message_id = ${messages.id}::text || ':unsubscribed')`,
      ),
      converted: counted(eq(journeyRuns.status, 'converted')),
    })
    .from(messages)
    .leftJoin(journeyRuns, eq(journeyRuns.workflowId, messages.workflowId))
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.journeyId, journeyId),
        isNotNull(messages.nodeId),
        eq(messages.test, false),
        inArray(messages.status, SENT),
        version === undefined ? undefined : eq(journeyRuns.version, version),
      ),
    )
    .groupBy(messages.nodeId);
  const stats: Record<string, MessageStats> = {};
  for (const { nodeId, sent, ...counts } of rows) {
    const rate = (value: number) => (sent === 0 ? 0 : value / sent);
    stats[nodeId!] = {
      sent,
      ...counts,
      rates: {
        delivered: rate(counts.delivered),
        opened: rate(counts.opened),
        clicked: rate(counts.clicked),
        unsubscribed: rate(counts.unsubscribed),
        bounced: rate(counts.bounced),
        converted: rate(counts.converted),
      },
    };
  }
  return stats;
}
