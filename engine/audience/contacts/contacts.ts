import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { contacts } from '../../../db/schema';
import { Conflict, NotFound } from '../../errors';
import { isValidTimeZone } from '../../time/zoned';
import { validateAttributes } from '../attributes/definitions';
import type { ContactRow } from './contact-store';

const subscriptionsSchema = z
  .record(z.string().min(1).max(50), z.enum(['subscribed', 'unsubscribed']))
  .describe('Subscription status per channel, e.g. {"email": "unsubscribed"}');
const email = z.email();
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +14155550100');
const timezone = z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. Europe/Paris');
const tag = z.string().min(1).max(100);

export const contactInputSchema = z.object({
  userId: z.string().min(1).max(255).optional().describe('Your id for the contact'),
  anonymousId: z.string().min(1).max(255).optional(),
  email: email.optional(),
  phone: phone.optional(),
  timezone: timezone.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(tag).optional(),
  subscriptions: subscriptionsSchema.optional(),
  test: z
    .boolean()
    .optional()
    .describe(
      'A test contact: runs journeys normally, its messages are labelled test and left out of counts',
    ),
});

export type ContactInput = z.infer<typeof contactInputSchema>;

/** A partial update: absent fields stay, `null` clears a field, attributes merge. */
export const contactUpdateSchema = z.object({
  userId: z.string().min(1).max(255).nullable().optional(),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  timezone: timezone.nullable().optional(),
  attributes: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Merged into the stored attributes (top-level keys replace)'),
  unsetAttributes: z.array(z.string().min(1)).optional().describe('Attribute keys to remove'),
  tags: z.array(tag).optional().describe('Replaces all tags'),
  addTags: z.array(tag).optional(),
  removeTags: z.array(tag).optional(),
  subscriptions: subscriptionsSchema.optional().describe('Merged per channel'),
  test: z.boolean().optional().describe('Mark or unmark as a test contact'),
});

export type ContactUpdate = z.infer<typeof contactUpdateSchema>;

export async function createContact(db: Db, workspaceId: string, input: ContactInput): Promise<ContactRow> {
  const attributes = await validateAttributes(db, workspaceId, input.attributes);
  const [row] = await db
    .insert(contacts)
    .values({
      workspaceId,
      externalId: input.userId ?? null,
      anonymousId: input.anonymousId ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      timezone: input.timezone ?? null,
      attributes: attributes ?? {},
      tags: [...new Set(input.tags ?? [])].sort(),
      subscriptions: input.subscriptions ?? {},
      isTest: input.test ?? false,
    })
    .onConflictDoNothing()
    .returning();
  if (!row)
    throw new Conflict('contact_exists', `A contact with userId ${input.userId} already exists`, 'userId');
  return row;
}

export async function getContact(db: Db, workspaceId: string, contactId: string): Promise<ContactRow> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  if (!row) throw new NotFound('Contact', contactId);
  return row;
}

/** Applies a partial update in one statement, so concurrent updates of other fields never lose a write. */
export async function updateContact(
  db: Db,
  workspaceId: string,
  contactId: string,
  input: ContactUpdate,
): Promise<ContactRow> {
  const update = { ...input, attributes: await validateAttributes(db, workspaceId, input.attributes) };
  let attributes = sql`${contacts.attributes}`;
  if (update.attributes && Object.keys(update.attributes).length > 0) {
    attributes = sql`(${attributes} || ${JSON.stringify(update.attributes)}::jsonb)`;
  }
  for (const key of update.unsetAttributes ?? []) attributes = sql`(${attributes} - ${key}::text)`;
  let tags = update.tags ? textArray([...new Set(update.tags)]) : sql`${contacts.tags}`;
  if (update.removeTags?.length) {
    tags = sql`array(select t from unnest(${tags}) as t where t <> all(${textArray(update.removeTags)}))`;
  }
  tags = sql`array(select distinct t from unnest(${tags}${update.addTags?.length ? sql` || ${textArray(update.addTags)}` : sql``}) as t order by t)`;
  const subscriptions = update.subscriptions
    ? sql`(${contacts.subscriptions} || ${JSON.stringify(update.subscriptions)}::jsonb)`
    : sql`${contacts.subscriptions}`;
  const set: Record<string, unknown> = { attributes, tags, subscriptions, updatedAt: new Date() };
  if (update.userId !== undefined) set.externalId = update.userId;
  if (update.email !== undefined) set.email = update.email;
  if (update.phone !== undefined) set.phone = update.phone;
  if (update.timezone !== undefined) set.timezone = update.timezone;
  if (update.test !== undefined) set.isTest = update.test;
  // A write made now is newer than any identify stamped earlier (per-trait last write wins).
  const written = [
    ...Object.keys(update.attributes ?? {}),
    ...(['email', 'phone', 'timezone'] as const).filter((key) => update[key] !== undefined),
  ];
  if (written.length > 0) {
    const now = new Date().toISOString();
    set.traitTimes = sql`${contacts.traitTimes} || ${JSON.stringify(Object.fromEntries(written.map((key) => [key, now])))}::jsonb`;
  }
  try {
    const [row] = await db
      .update(contacts)
      .set(set)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
      .returning();
    if (!row) throw new NotFound('Contact', contactId);
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new Conflict('contact_exists', `Another contact has userId ${update.userId}`, 'userId');
    }
    throw error;
  }
}

export function textArray(values: string[]) {
  if (values.length === 0) return sql`'{}'::text[]`;
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}
