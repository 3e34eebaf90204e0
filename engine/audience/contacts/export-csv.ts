import { and, asc, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts } from '../../../db/schema';
import { type ContactFilter, contactFilterSql } from './search';

const PAGE = 1000;
/** A larger export belongs in an analytics export or the API's paging. */
export const MAX_EXPORT_ROWS = 100_000;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The contacts a filter selects as CSV (RFC 4180): the identity columns, tags joined by ";",
 * subscriptions as `subscriptions.<channel>` and one column per attribute key found.
 */
export async function contactsCsv(db: Db, workspaceId: string, filter: ContactFilter): Promise<string> {
  const rows: (typeof contacts.$inferSelect)[] = [];
  let afterId: string | null = null;
  while (rows.length < MAX_EXPORT_ROWS) {
    const page = await db
      .select()
      .from(contacts)
      .where(
        and(
          ...contactFilterSql(workspaceId, filter),
          afterId ? sql`${contacts.id} > ${afterId}::uuid` : undefined,
        ),
      )
      .orderBy(asc(contacts.id))
      .limit(PAGE);
    rows.push(...page);
    if (page.length < PAGE) break;
    afterId = page[page.length - 1].id;
  }
  const attributeKeys = [...new Set(rows.flatMap((r) => Object.keys(r.attributes)))].sort();
  const channels = [...new Set(rows.flatMap((r) => Object.keys(r.subscriptions)))].sort();
  const header = [
    'id',
    'userId',
    'email',
    'phone',
    'timezone',
    'tags',
    'createdAt',
    ...channels.map((c) => `subscriptions.${c}`),
    ...attributeKeys,
  ];
  const lines = rows.map((r) =>
    [
      r.id,
      r.externalId,
      r.email,
      r.phone,
      r.timezone,
      r.tags.join(';'),
      r.createdAt.toISOString(),
      ...channels.map((c) => r.subscriptions[c]),
      ...attributeKeys.map((k) => r.attributes[k]),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.map(cell).join(','), ...lines].join('\r\n')}\r\n`;
}
