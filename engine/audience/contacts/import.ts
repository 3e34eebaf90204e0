import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { contacts, listMembers } from '../../../db/schema';
import { DomainError } from '../../errors';
import {
  type AttributeDefinition,
  checkAttributes,
  listAttributeDefinitions,
} from '../attributes/definitions';
import { withRetriedTransaction } from '../ingest/tx';
import { getList } from '../lists/lists';
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
export function readImport(format: ImportFormat, payload: string, mapping?: ImportMapping): ImportLine[] {
  return format === 'csv' ? readCsv(payload, mapping) : readNdjson(payload);
}

const TARGET =
  /^(userId|anonymousId|email|phone|timezone|tags|subscriptions\.[^.]+|attributes\.[A-Za-z0-9_.-]+)$/;

/**
 * Where each CSV column goes: `userId`, `anonymousId`, `email`, `phone`, `timezone`, `tags`,
 * `subscriptions.<channel>`, `attributes.<key>`, or `""` to skip the column. Columns left out
 * keep the default (known names, else an attribute of the same name).
 */
export const importMappingSchema = z.record(
  z.string(),
  z.string().refine((target) => target === '' || TARGET.test(target), {
    message:
      'must be userId, anonymousId, email, phone, timezone, tags, subscriptions.<channel>, attributes.<key> or ""',
  }),
);

export type ImportMapping = z.infer<typeof importMappingSchema>;

export const importOptionsSchema = z.object({
  listId: z.uuid().optional().describe('Add every imported contact to this list'),
  mapping: z
    .string()
    .max(20_000)
    .optional()
    .describe(
      'JSON object: CSV column → userId, email, phone, timezone, tags, subscriptions.<channel>, attributes.<key>, or "" to skip',
    ),
});

export function parseMapping(text: string | undefined): ImportMapping | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError('mapping_invalid', 'mapping must be a JSON object', 'invalid', 'mapping');
  }
  const checked = importMappingSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new DomainError('mapping_invalid', issue.message, 'invalid', ['mapping', ...issue.path].join('.'));
  }
  return checked.data;
}

function targetOf(column: string, mapping: ImportMapping | undefined): string {
  if (mapping && Object.hasOwn(mapping, column)) return mapping[column];
  const known = columnAliases[column.toLowerCase()];
  if (known) return known;
  if (column.toLowerCase().startsWith('subscriptions.')) return `subscriptions.${column.slice(14)}`;
  return `attributes.${column}`;
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

function readCsv(payload: string, mapping?: ImportMapping): ImportLine[] {
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
      const target = targetOf(column, mapping);
      if (value === '' || target === '') return;
      if (target === 'tags')
        input.tags = value
          .split(/[;|]/)
          .map((t) => t.trim())
          .filter(Boolean);
      else if (target.startsWith('subscriptions.')) subscriptions[target.slice(14)] = value;
      else if (target.startsWith('attributes.')) attributes[target.slice(11)] = value;
      else input[target] = value;
    });
    if (Object.keys(attributes).length > 0) input.attributes = attributes;
    if (Object.keys(subscriptions).length > 0) input.subscriptions = subscriptions;
    return { line: record.line, input };
  });
  if (error) out.push({ line: error.line, error: error.message });
  return out;
}

/** Checks one row as the contacts API would, typed attributes included; CSV text becomes typed. */
export function validateImportRow(
  input: unknown,
  definitions: AttributeDefinition[] = [],
): { row: ImportRow } | { error: string; field?: string } {
  const parsed = importRowSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { field: issue.path.join('.') || undefined, error: issue.message };
  }
  try {
    return { row: { ...parsed.data, attributes: checkAttributes(definitions, parsed.data.attributes) } };
  } catch (error) {
    if (error instanceof DomainError) return { field: error.field, error: error.message };
    throw error;
  }
}

/** Writes one checked row and its list membership in one transaction: a row is all in or not at all. */
export async function importContact(
  db: Db,
  workspaceId: string,
  row: ImportRow,
  listId?: string,
): Promise<ContactRow> {
  return withRetriedTransaction(db, async (tx) => {
    const contact = await upsertContact(tx as unknown as Db, workspaceId, row);
    if (listId) {
      await tx
        .insert(listMembers)
        .values({ workspaceId, listId, contactId: contact.id })
        .onConflictDoNothing();
    }
    return contact;
  });
}

const PREVIEW_ROWS = 10;
const PREVIEW_ERRORS = 200;

/**
 * What an import would do, without writing anything: the columns, where each goes, the first
 * rows as contacts, and every rejected row (up to 200) with its line and field.
 */
export async function previewImport(
  db: Db,
  workspaceId: string,
  format: ImportFormat,
  payload: string,
  options: { mapping?: ImportMapping; listId?: string },
) {
  if (options.listId) await getList(db, workspaceId, options.listId);
  const definitions = await listAttributeDefinitions(db, workspaceId);
  const lines = readImport(format, payload, options.mapping);
  const columns =
    format === 'csv'
      ? (parseCsv(payload).records[0]?.fields ?? []).map((name) => {
          const column = name.trim();
          return { column, target: targetOf(column, options.mapping) };
        })
      : [];
  const rows: { line: number; contact: ImportRow }[] = [];
  const errors: { line: number; field?: string; message: string }[] = [];
  let valid = 0;
  for (const line of lines) {
    const checked = 'error' in line ? line : validateImportRow(line.input, definitions);
    if ('error' in checked) {
      if (errors.length < PREVIEW_ERRORS)
        errors.push({ line: line.line, field: checked.field, message: checked.error });
      continue;
    }
    valid += 1;
    if (rows.length < PREVIEW_ROWS) rows.push({ line: line.line, contact: checked.row });
  }
  return { columns, total: lines.length, valid, rejected: lines.length - valid, rows, errors };
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
