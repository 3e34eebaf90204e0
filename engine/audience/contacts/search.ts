import { and, asc, count, desc, eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { contacts, events, listMembers, segmentMembers } from '../../../db/schema';
import { InvalidInput } from '../../errors';
import { propertyFilterSchema } from '../conditions/filter-schema';
import { propertySql } from '../segments/compile-sql';
import type { ContactRow } from './contact-store';
import { beforeCursor, encodeCursor, exactTime } from './cursor';

export const CONTACT_SORTS = ['created', 'updated', 'email', 'userId', 'lastActivity'] as const;

/** The filters of the contacts table (and of a saved view, and of a bulk action's selection). */
export const contactFilterSchema = z.object({
  email: z.string().min(1).optional().describe('Exact email (case-insensitive)'),
  userId: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  attr: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Attribute equality "path:value", repeatable, e.g. attr=plan:pro'),
  filter: z
    .string()
    .max(4000)
    .optional()
    .describe('Attribute conditions as JSON, e.g. [{"path":"seats","op":"gte","value":10}]'),
  q: z.string().min(1).max(200).optional().describe('Text found in email, phone, userId or attributes'),
  segmentId: z.uuid().optional(),
  listId: z.uuid().optional(),
  subscription: z
    .string()
    .regex(/^[^:]+:(subscribed|unsubscribed|unset)$/, 'must be "<channel>:subscribed|unsubscribed|unset"')
    .optional()
    .describe('Subscription state of a channel or topic, e.g. email:unsubscribed'),
  activeWithin: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('Only contacts with an event in the last N days'),
  inactiveFor: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('Only contacts without any event in the last N days'),
});

export type ContactFilter = z.infer<typeof contactFilterSchema>;

export const contactSortSchema = z.object({
  sort: z
    .union([z.enum(CONTACT_SORTS), z.string().regex(/^attr:[A-Za-z0-9_.-]+$/)])
    .default('created')
    .describe('created, updated, email, userId, lastActivity or attr:<key>'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export const contactSearchSchema = contactFilterSchema.extend({
  ...contactSortSchema.shape,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
});

export type ContactSearch = z.infer<typeof contactSearchSchema>;

/** Spelled out in full: drizzle leaves columns unqualified in a select list, where `id` would mean the event's. */
const lastActivitySql = () =>
  sql<
    string | null
  >`(select to_char(max(e.received_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from ${events} e where e.workspace_id = "contacts"."workspace_id" and e.contact_id = "contacts"."id")`;
const lastActivity = sql`(select max(e.received_at) from ${events} e where e.workspace_id = "contacts"."workspace_id" and e.contact_id = "contacts"."id")`;

/** The SQL conditions of a filter, workspace scope included. */
export function contactFilterSql(workspaceId: string, search: ContactFilter, now = new Date()): SQL[] {
  const filters: SQL[] = [eq(contacts.workspaceId, workspaceId)];
  if (search.email) filters.push(sql`lower(${contacts.email}) = lower(${search.email})`);
  if (search.userId) filters.push(eq(contacts.externalId, search.userId));
  if (search.tag) filters.push(sql`${search.tag}::text = any(${contacts.tags})`);
  const attrs = search.attr === undefined ? [] : [search.attr].flat();
  for (const [index, pair] of attrs.entries()) {
    const at = pair.indexOf(':');
    if (at < 1) {
      throw new InvalidInput('attr_invalid', 'attr must be "path:value", e.g. plan:pro', `attr.${index}`);
    }
    filters.push(
      propertySql(sql`${contacts.attributes}`, {
        path: pair.slice(0, at),
        op: 'eq',
        value: pair.slice(at + 1),
      }),
    );
  }
  if (search.filter) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(search.filter);
    } catch {
      throw new InvalidInput('filter_invalid', 'filter must be JSON', 'filter');
    }
    const conditions = propertyFilterSchema.safeParse(parsed);
    if (!conditions.success) {
      const issue = conditions.error.issues[0];
      throw new InvalidInput('filter_invalid', issue.message, ['filter', ...issue.path].join('.'));
    }
    for (const condition of conditions.data)
      filters.push(propertySql(sql`${contacts.attributes}`, condition));
  }
  if (search.q) {
    const like = `%${search.q.replace(/[\\%_]/g, '\\$&')}%`;
    filters.push(
      sql`(${contacts.email} ilike ${like} or ${contacts.phone} ilike ${like} or ${contacts.externalId} ilike ${like} or ${contacts.attributes}::text ilike ${like})`,
    );
  }
  if (search.segmentId) {
    filters.push(
      sql`exists (select 1 from ${segmentMembers} where ${segmentMembers.segmentId} = ${search.segmentId}::uuid and ${segmentMembers.contactId} = ${contacts.id})`,
    );
  }
  if (search.listId) {
    filters.push(
      sql`exists (select 1 from ${listMembers} where ${listMembers.listId} = ${search.listId}::uuid and ${listMembers.contactId} = ${contacts.id})`,
    );
  }
  if (search.subscription) {
    const at = search.subscription.lastIndexOf(':');
    const channel = search.subscription.slice(0, at);
    const state = search.subscription.slice(at + 1);
    filters.push(
      state === 'unset'
        ? sql`not (${contacts.subscriptions} ? ${channel})`
        : sql`(${contacts.subscriptions} ->> ${channel}) = ${state}`,
    );
  }
  const DAY = 86_400_000;
  if (search.activeWithin) {
    const since = new Date(now.getTime() - search.activeWithin * DAY).toISOString();
    filters.push(sql`${lastActivity} >= ${since}::timestamptz`);
  }
  if (search.inactiveFor) {
    const since = new Date(now.getTime() - search.inactiveFor * DAY).toISOString();
    filters.push(sql`coalesce(${lastActivity} < ${since}::timestamptz, true)`);
  }
  return filters;
}

function orderBy(sort: ContactSearch['sort'], order: 'asc' | 'desc'): SQL[] {
  const direction = order === 'asc' ? asc : desc;
  const nulls = sql.raw(order === 'asc' ? 'nulls first' : 'nulls last');
  const column = (() => {
    switch (sort) {
      case 'updated':
        return sql`${contacts.updatedAt}`;
      case 'email':
        return sql`lower(${contacts.email})`;
      case 'userId':
        return sql`${contacts.externalId}`;
      case 'lastActivity':
        return lastActivity;
      default:
        return sql`(${contacts.attributes} #>> ${`{${sort.slice(5).split('.').join(',')}}`}::text[])`;
    }
  })();
  const keys = [sql`${column} ${sql.raw(order)} ${nulls}`, direction(contacts.id)];
  if (sort.startsWith('attr:')) {
    // Numbers sort as numbers (2 < 5 < 30), before any text value.
    const value = sql`(${contacts.attributes} #> ${`{${sort.slice(5).split('.').join(',')}}`}::text[])`;
    keys.unshift(
      sql`(case when jsonb_typeof(${value}) = 'number' then (${column})::numeric end) ${sql.raw(order)} ${nulls}`,
    );
  }
  return keys;
}

function offsetOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  const match = /^o(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidInput('cursor_invalid', 'The cursor is not one this API returned', 'cursor');
  return Number(match[1]);
}

export async function searchContacts(
  db: Db,
  workspaceId: string,
  search: ContactSearch,
): Promise<{
  data: (ContactRow & { lastActivityAt: Date | null })[];
  nextCursor: string | null;
  total: number;
}> {
  const sort = search.sort ?? 'created';
  const order = search.order ?? 'desc';
  const filters = contactFilterSql(workspaceId, search);
  const [{ n }] = await db
    .select({ n: count() })
    .from(contacts)
    .where(and(...filters));
  const total = Number(n);
  const toRow = (contact: ContactRow, at: string | null) => ({
    ...contact,
    lastActivityAt: at === null ? null : new Date(at),
  });
  if (sort === 'created' && order === 'desc') {
    // Newest first pages by (created, id), so rows inserted meanwhile never shift a page.
    const keyset = beforeCursor(search.cursor, contacts.createdAt, contacts.id);
    const rows = await db
      .select({ contact: contacts, at: exactTime(contacts.createdAt), last: lastActivitySql() })
      .from(contacts)
      .where(and(...filters, keyset))
      .orderBy(desc(contacts.createdAt), desc(contacts.id))
      .limit(search.limit + 1);
    const page = rows.slice(0, search.limit);
    const last = page.at(-1);
    return {
      data: page.map((r) => toRow(r.contact, r.last)),
      nextCursor: rows.length > search.limit && last ? encodeCursor(last.at, last.contact.id) : null,
      total,
    };
  }
  const offset = offsetOf(search.cursor);
  const rows = await db
    .select({ contact: contacts, last: lastActivitySql() })
    .from(contacts)
    .where(and(...filters))
    .orderBy(...orderBy(sort, order))
    .limit(search.limit + 1)
    .offset(offset);
  return {
    data: rows.slice(0, search.limit).map((r) => toRow(r.contact, r.last)),
    nextCursor:
      rows.length > search.limit ? Buffer.from(`o${offset + search.limit}`).toString('base64url') : null,
    total,
  };
}

/** Ids of the contacts a filter selects, in id order after `afterId` (for bulk actions). */
export async function filteredContactIds(
  db: Db,
  workspaceId: string,
  filter: ContactFilter,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(
        ...contactFilterSql(workspaceId, filter),
        afterId ? sql`${contacts.id} > ${afterId}::uuid` : undefined,
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function countFilteredContacts(db: Db, workspaceId: string, filter: ContactFilter) {
  const [{ n }] = await db
    .select({ n: count() })
    .from(contacts)
    .where(and(...contactFilterSql(workspaceId, filter)));
  return Number(n);
}
