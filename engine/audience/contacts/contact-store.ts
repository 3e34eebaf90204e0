import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db';
import { contacts, listMembers, lists, workspaces } from '../../../db/schema';
import type { ContactChanges, ContactSnapshot } from '../../sdk/define-node';
import { type ContactEvent, contactEventWith } from '../ingest/contact-event';
import { retried } from '../ingest/tx';

export type ContactRow = typeof contacts.$inferSelect;

export function toSnapshot(row: ContactRow): ContactSnapshot {
  return {
    id: row.id,
    externalId: row.externalId,
    email: row.email,
    phone: row.phone,
    timezone: row.timezone,
    attributes: row.attributes,
    tags: row.tags,
    subscriptions: row.subscriptions,
  };
}

export async function findContact(
  db: Db,
  workspaceId: string,
  contactId: string,
): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)));
  return row;
}

export async function workspaceTimezone(db: Db, workspaceId: string): Promise<string> {
  const [row] = await db
    .select({ tz: workspaces.defaultTimezone })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.tz ?? 'UTC';
}

/** The contact (when it exists) and its workspace's default time zone, in one statement. */
export async function findContactInZone(
  db: Db,
  workspaceId: string,
  contactId: string,
): Promise<{ contact: ContactRow | undefined; workspaceTimezone: string }> {
  const [row] = await db
    .select({ contact: contacts, tz: workspaces.defaultTimezone })
    .from(workspaces)
    .leftJoin(contacts, and(eq(contacts.workspaceId, workspaces.id), eq(contacts.id, contactId)))
    .where(eq(workspaces.id, workspaceId));
  return { contact: row?.contact ?? undefined, workspaceTimezone: row?.tz ?? 'UTC' };
}

/**
 * Applies attribute and tag changes atomically in SQL, so concurrent updates never lose a write.
 * With `event`, the event reporting the change and its outbox row are stored by the same
 * statement (see `contactEventWith`): both or neither, in one round trip, and none for a contact
 * that no longer exists.
 */
export async function applyContactChanges(
  db: Db,
  workspaceId: string,
  contactId: string,
  changes: ContactChanges,
  event?: ContactEvent,
): Promise<ContactRow | undefined> {
  let attributes = sql`${contacts.attributes}`;
  if (changes.set && Object.keys(changes.set).length > 0) {
    attributes = sql`(${attributes} || ${JSON.stringify(changes.set)}::jsonb)`;
  }
  for (const key of changes.unset ?? []) attributes = sql`(${attributes} - ${key}::text)`;
  let tags = sql`${contacts.tags}`;
  if (changes.removeTags?.length) {
    tags = sql`array(select t from unnest(${tags}) as t where t <> all(${toTextArray(changes.removeTags)}))`;
  }
  if (changes.addTags?.length) {
    tags = sql`array(select distinct t from unnest(${tags} || ${toTextArray(changes.addTags)}) as t order by t)`;
  }
  const target = and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId));
  const reported = event
    ? contactEventWith(db, event, sql`exists (select 1 from ${contacts} where ${target})`)
    : [];
  const [row] = await retried(() =>
    db
      .with(...reported)
      .update(contacts)
      .set({ attributes: attributes as any, tags: tags as any, updatedAt: new Date() })
      .where(target)
      .returning(),
  );
  return row;
}

function toTextArray(values: string[]) {
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

export async function ensureList(db: Db, workspaceId: string, name: string): Promise<string> {
  await db.insert(lists).values({ workspaceId, name }).onConflictDoNothing();
  const [row] = await db
    .select({ id: lists.id })
    .from(lists)
    .where(and(eq(lists.workspaceId, workspaceId), eq(lists.name, name)));
  return row.id;
}

export async function addToList(db: Db, workspaceId: string, contactId: string, name: string): Promise<void> {
  const listId = await ensureList(db, workspaceId, name);
  await db.insert(listMembers).values({ workspaceId, listId, contactId }).onConflictDoNothing();
}

export async function removeFromList(
  db: Db,
  workspaceId: string,
  contactId: string,
  name: string,
): Promise<void> {
  const listId = await ensureList(db, workspaceId, name);
  await db
    .delete(listMembers)
    .where(and(eq(listMembers.listId, listId), eq(listMembers.contactId, contactId)));
}
