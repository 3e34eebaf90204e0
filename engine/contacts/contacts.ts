import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import { contacts } from '../../db/schema';
import { Conflict, NotFound } from '../errors';
import { isValidTimeZone } from '../time/zoned';
import type { ContactRow } from './contact-store';

export const contactInputSchema = z.object({
  userId: z.string().min(1).max(255).optional().describe('Your id for the contact'),
  anonymousId: z.string().min(1).max(255).optional(),
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +14155550100')
    .optional(),
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. Europe/Paris').optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().min(1).max(100)).optional(),
});

export type ContactInput = z.infer<typeof contactInputSchema>;

export async function createContact(db: Db, workspaceId: string, input: ContactInput): Promise<ContactRow> {
  const [row] = await db
    .insert(contacts)
    .values({
      workspaceId,
      externalId: input.userId ?? null,
      anonymousId: input.anonymousId ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      timezone: input.timezone ?? null,
      attributes: input.attributes ?? {},
      tags: input.tags ?? [],
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
