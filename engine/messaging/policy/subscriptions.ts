import { and, eq, inArray } from 'drizzle-orm';
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
  const defaults =
    topic && topicChoiceNeeded(subscriptions, topic)
      ? await topicDefaults(db, workspaceId, [topic])
      : new Map();
  return subscriptionVerdict(subscriptions, channel, topic, defaults);
}

/** Whether the contact's own choices leave the topic's default to decide. */
export function topicChoiceNeeded(subscriptions: Record<string, string>, topic: string): boolean {
  const choice = subscriptions[topicKey(topic)];
  return choice !== 'unsubscribed' && choice !== 'subscribed';
}

/** The pure rule over the contact's choices and the loaded topics' defaults (`defaultSubscribed` by name). */
export function subscriptionVerdict(
  subscriptions: Record<string, string>,
  channel: string,
  topic: string | undefined,
  defaults: Map<string, boolean>,
): string | null {
  if (subscriptions[channel] === 'unsubscribed') return 'unsubscribed';
  if (!topic) return null;
  const choice = subscriptions[topicKey(topic)];
  if (choice === 'unsubscribed') return `unsubscribed:topic:${topic}`;
  if (choice === 'subscribed') return null;
  return defaults.get(topic) === false ? `not-subscribed:topic:${topic}` : null;
}

/** Each named topic's `defaultSubscribed` (unknown topics are absent): one statement for a batch. */
export async function topicDefaults(
  db: Db,
  workspaceId: string,
  names: string[],
): Promise<Map<string, boolean>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ name: topics.name, defaultSubscribed: topics.defaultSubscribed })
    .from(topics)
    .where(and(eq(topics.workspaceId, workspaceId), inArray(topics.name, unique)));
  return new Map(rows.map((r) => [r.name, r.defaultSubscribed]));
}
