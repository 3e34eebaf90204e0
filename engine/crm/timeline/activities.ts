import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { ACTIVITY_KINDS, contactActivities } from '../../../db/schema';
import { getContact } from '../../audience/contacts/contacts';
import { InvalidInput, NotFound } from '../../errors';

export type ActivityRow = typeof contactActivities.$inferSelect;

/** A note, call or meeting a person logs on a contact. */
export const activityInputSchema = z.object({
  kind: z.enum(ACTIVITY_KINDS),
  subject: z.string().trim().max(200).nullable().optional(),
  body: z.string().max(20_000).default(''),
  occurredAt: z.coerce.date().optional().describe('When the call or meeting took place; now when absent'),
  durationMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .nullable()
    .optional(),
  outcome: z.string().max(200).nullable().optional().describe('e.g. "no answer", "interested"'),
});

export type ActivityInput = z.infer<typeof activityInputSchema>;

function check(input: ActivityInput): void {
  if (input.kind === 'note' && input.body.trim() === '')
    throw new InvalidInput('note_empty', 'A note needs text', 'body');
  if (input.occurredAt && input.occurredAt.getTime() > Date.now() + 366 * 86_400_000)
    throw new InvalidInput('occurred_at_invalid', 'occurredAt is more than a year ahead', 'occurredAt');
}

export async function logActivity(
  db: Db,
  workspaceId: string,
  contactId: string,
  input: ActivityInput,
  by: { authorId?: string | null; journeyId?: string | null; dedupKey?: string | null } = {},
): Promise<ActivityRow> {
  await getContact(db, workspaceId, contactId);
  check(input);
  const values = {
    workspaceId,
    contactId,
    kind: input.kind,
    subject: input.subject ?? null,
    body: input.body,
    occurredAt: input.occurredAt ?? new Date(),
    durationMinutes: input.durationMinutes ?? null,
    outcome: input.outcome ?? null,
    authorId: by.authorId ?? null,
    journeyId: by.journeyId ?? null,
    dedupKey: by.dedupKey ?? null,
  };
  const [row] = await db.insert(contactActivities).values(values).onConflictDoNothing().returning();
  if (row) return row;
  // Written before by the same journey step (a retried activity): that one stands.
  const [existing] = await db
    .select()
    .from(contactActivities)
    .where(
      and(eq(contactActivities.workspaceId, workspaceId), eq(contactActivities.dedupKey, by.dedupKey ?? '')),
    );
  return existing;
}

export async function getActivity(db: Db, workspaceId: string, contactId: string, id: string) {
  const [row] = await db
    .select()
    .from(contactActivities)
    .where(
      and(
        eq(contactActivities.workspaceId, workspaceId),
        eq(contactActivities.contactId, contactId),
        eq(contactActivities.id, id),
      ),
    );
  if (!row) throw new NotFound('Activity', id);
  return row;
}

export async function updateActivity(
  db: Db,
  workspaceId: string,
  contactId: string,
  id: string,
  input: ActivityInput,
): Promise<ActivityRow> {
  const before = await getActivity(db, workspaceId, contactId, id);
  check(input);
  const [row] = await db
    .update(contactActivities)
    .set({
      kind: input.kind,
      subject: input.subject ?? null,
      body: input.body,
      occurredAt: input.occurredAt ?? before.occurredAt,
      durationMinutes: input.durationMinutes ?? null,
      outcome: input.outcome ?? null,
      updatedAt: new Date(),
    })
    .where(eq(contactActivities.id, before.id))
    .returning();
  return row;
}

export async function deleteActivity(db: Db, workspaceId: string, contactId: string, id: string) {
  const before = await getActivity(db, workspaceId, contactId, id);
  await db.delete(contactActivities).where(eq(contactActivities.id, before.id));
}
