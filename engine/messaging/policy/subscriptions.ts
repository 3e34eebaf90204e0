import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db';
import { topics } from '../../../db/schema';

/** The key under which a topic choice is stored in a contact's `subscriptions` map. */
export const topicKey = (topic: string) => `topic:${topic}`;

/**
 * Why a marketing send may not reach this contact, or null when it may: an unsubscribed
 * channel, an unsubscribed topic, or an opt-in topic the contact never chose.
 */
export async function subscriptionBlock(
  db: Db,
  workspaceId: string,
  subscriptions: Record<string, string>,
  channel: string,
  topic: string | undefined,
): Promise<string | null> {
  if (subscriptions[channel] === 'unsubscribed') return 'unsubscribed';
  if (!topic) return null;
  const choice = subscriptions[topicKey(topic)];
  if (choice === 'unsubscribed') return `unsubscribed:topic:${topic}`;
  if (choice === 'subscribed') return null;
  const [row] = await db
    .select({ defaultSubscribed: topics.defaultSubscribed })
    .from(topics)
    .where(and(eq(topics.workspaceId, workspaceId), eq(topics.name, topic)));
  return row && !row.defaultSubscribed ? `not-subscribed:topic:${topic}` : null;
}
