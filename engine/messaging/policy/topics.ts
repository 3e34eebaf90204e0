import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { topics } from '../../../db/schema';

export const topicInput = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  label: z.string().min(1).max(200),
  description: z.string().max(1000).nullish(),
  defaultSubscribed: z.boolean().default(true).describe('Opt-out topic (true) or opt-in topic (false)'),
});

/** Creates or replaces a topic by name. */
export async function saveTopic(db: Db, workspaceId: string, raw: z.input<typeof topicInput>) {
  const input = topicInput.parse(raw);
  const values = {
    label: input.label,
    description: input.description ?? null,
    defaultSubscribed: input.defaultSubscribed,
  };
  const [row] = await db
    .insert(topics)
    .values({ workspaceId, name: input.name, ...values })
    .onConflictDoUpdate({ target: [topics.workspaceId, topics.name], set: values })
    .returning();
  return row;
}

export async function listTopics(db: Db, workspaceId: string) {
  return db.select().from(topics).where(eq(topics.workspaceId, workspaceId)).orderBy(asc(topics.name));
}

export async function deleteTopic(db: Db, workspaceId: string, name: string): Promise<boolean> {
  const removed = await db
    .delete(topics)
    .where(and(eq(topics.workspaceId, workspaceId), eq(topics.name, name)))
    .returning({ name: topics.name });
  return removed.length > 0;
}
