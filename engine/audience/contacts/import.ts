import { and, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../../db';
import { contacts } from '../../../db/schema';
import type { ContactRow } from './contact-store';
import { contactInputSchema, isUniqueViolation, textArray } from './contacts';
import { parseCsv } from './csv';

export type ImportFormat = 'csv' | 'ndjson';

/** One input row: a contact to upsert, or why the line cannot be imported. */
export type ImportLine = { line: number; input: unknown } | { line: number; error: string; field?: string };

const importRowSchema = contactInputSchema.refine((c) => !!(c.userId || c.email), {
  message: 'each row needs a userId or an email',
  path: ['userId'],
});

export type ImportRow = z.infer<typeof importRowSchema>;

const columnAliases: Record<string, string> = {
  userid: 'userId',
  user_id: 'userId',
  external_id: 'userId',
  externalid: 'userId',
  anonymousid: 'anonymousId',
  anonymous_id: 'anonymousId',
  email: 'email',
  phone: 'phone',
  timezone: 'timezone',
  time_zone: 'timezone',
  tags: 'tags',
};

/**
 * Splits an import file into rows with their line numbers. CSV: a header row; known columns
 * (userId, email, phone, timezone, tags separated by ";", subscriptions.<channel>) map to the
 * contact, every other column becomes a string attribute; empty cells are skipped.
 * NDJSON: one contact object per line, as `POST /v1/contacts` takes it.
 */
export function readImport(format: ImportFormat, payload: string): ImportLine[] {
  return format === 'csv' ? readCsv(payload) : readNdjson(payload);
}

function readNdjson(payload: string): ImportLine[] {
  const out: ImportLine[] = [];
  for (const [index, text] of payload.split(/\r?\n/).entries()) {
    if (text.trim() === '') continue;
    try {
      out.push({ line: index + 1, input: JSON.parse(text) });
    } catch (error) {
      out.push({ line: index + 1, error: `not valid JSON: ${(error as Error).message}` });
    }
  }
  return out;
}

function readCsv(payload: string): ImportLine[] {
  const { records, error } = parseCsv(payload);
  const [header, ...rows] = records;
  if (!header) return error ? [{ line: error.line, error: error.message }] : [];
  const columns = header.fields.map((name) => name.trim());
  const out: ImportLine[] = rows.map((record) => {
    if (record.fields.length !== columns.length) {
      return {
        line: record.line,
        error: `has ${record.fields.length} fields, the header has ${columns.length}`,
      };
    }
    const input: Record<string, unknown> = {};
    const attributes: Record<string, string> = {};
    const subscriptions: Record<string, string> = {};
    columns.forEach((column, i) => {
      const value = record.fields[i].trim();
      if (value === '') return;
      const known = columnAliases[column.toLowerCase()];
      if (known === 'tags')
        input.tags = value
          .split(/[;|]/)
          .map((t) => t.trim())
          .filter(Boolean);
      else if (known) input[known] = value;
      else if (column.toLowerCase().startsWith('subscriptions.')) subscriptions[column.slice(14)] = value;
      else attributes[column] = value;
    });
    if (Object.keys(attributes).length > 0) input.attributes = attributes;
    if (Object.keys(subscriptions).length > 0) input.subscriptions = subscriptions;
    return { line: record.line, input };
  });
  if (error) out.push({ line: error.line, error: error.message });
  return out;
}

export function validateImportRow(input: unknown): { row: ImportRow } | { error: string; field?: string } {
  const parsed = importRowSchema.safeParse(input);
  if (parsed.success) return { row: parsed.data };
  const issue = parsed.error.issues[0];
  return { field: issue.path.join('.') || undefined, error: issue.message };
}

/**
 * Creates the contact or updates the one with the same userId (else the same email): given
 * fields replace, attributes and subscriptions merge, tags add. Safe to repeat.
 */
export async function upsertContact(db: Db, workspaceId: string, row: ImportRow): Promise<ContactRow> {
  const existing = await findExisting(db, workspaceId, row);
  if (!existing) {
    try {
      const [created] = await db
        .insert(contacts)
        .values({
          workspaceId,
          externalId: row.userId ?? null,
          anonymousId: row.anonymousId ?? null,
          email: row.email ?? null,
          phone: row.phone ?? null,
          timezone: row.timezone ?? null,
          attributes: row.attributes ?? {},
          tags: [...new Set(row.tags ?? [])].sort(),
          subscriptions: row.subscriptions ?? {},
        })
        .returning();
      return created;
    } catch (error) {
      // Created concurrently by someone else: update that one instead.
      if (!isUniqueViolation(error)) throw error;
      return upsertContact(db, workspaceId, row);
    }
  }
  const [updated] = await db
    .update(contacts)
    .set({
      ...(row.userId ? { externalId: row.userId } : {}),
      ...(row.anonymousId ? { anonymousId: row.anonymousId } : {}),
      ...(row.email ? { email: row.email } : {}),
      ...(row.phone ? { phone: row.phone } : {}),
      ...(row.timezone ? { timezone: row.timezone } : {}),
      attributes: sql`(${contacts.attributes} || ${JSON.stringify(row.attributes ?? {})}::jsonb)` as never,
      subscriptions:
        sql`(${contacts.subscriptions} || ${JSON.stringify(row.subscriptions ?? {})}::jsonb)` as never,
      tags: sql`array(select distinct t from unnest(${contacts.tags} || ${textArray(row.tags ?? [])}) as t order by t)` as never,
      updatedAt: new Date(),
    })
    .where(eq(contacts.id, existing.id))
    .returning();
  return updated;
}

async function findExisting(db: Db, workspaceId: string, row: ImportRow) {
  if (row.userId) {
    const [byId] = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, row.userId)));
    if (byId || !row.email) return byId;
  }
  const [byEmail] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        sql`lower(${contacts.email}) = lower(${row.email ?? ''})`,
        row.userId ? sql`${contacts.externalId} is null` : undefined,
      ),
    )
    .limit(1);
  return byEmail;
}
