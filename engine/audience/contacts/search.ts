import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { contacts, segmentMembers } from '../../../db/schema';
import { InvalidInput } from '../../errors';
import { propertySql } from '../segments/compile-sql';
import type { ContactRow } from './contact-store';
import { beforeCursor, encodeCursor, exactTime } from './cursor';

export const contactSearchSchema = z.object({
  email: z.string().min(1).optional().describe('Exact email (case-insensitive)'),
  userId: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  attr: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('Attribute equality "path:value", repeatable, e.g. attr=plan:pro'),
  q: z.string().min(1).max(200).optional().describe('Text found in email, phone, userId or attributes'),
  segmentId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional().describe('nextCursor of the previous page'),
});

export type ContactSearch = z.infer<typeof contactSearchSchema>;

export async function searchContacts(
  db: Db,
  workspaceId: string,
  search: ContactSearch,
): Promise<{ data: ContactRow[]; nextCursor: string | null }> {
  const filters: (SQL | undefined)[] = [eq(contacts.workspaceId, workspaceId)];
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
  filters.push(beforeCursor(search.cursor, contacts.createdAt, contacts.id));
  const rows = await db
    .select({ contact: contacts, at: exactTime(contacts.createdAt) })
    .from(contacts)
    .where(and(...filters))
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(search.limit + 1);
  const page = rows.slice(0, search.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => r.contact),
    nextCursor: rows.length > search.limit && last ? encodeCursor(last.at, last.contact.id) : null,
  };
}
