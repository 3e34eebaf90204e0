import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { contacts, listMembers, lists } from '../../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { pgErrorCode } from '../ingest/tx';

export type ListRow = typeof lists.$inferSelect;

export const listInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(1000).nullable().optional(),
});

export type ListInput = z.infer<typeof listInputSchema>;

/** Up to this many contacts per add or remove call; more go through a bulk action job. */
export const MAX_MEMBERS_PER_CALL = 1000;

export const listMembersInputSchema = z.object({
  contactIds: z.array(z.uuid()).min(1).max(MAX_MEMBERS_PER_CALL),
});

const exists = (name: string) => new Conflict('list_exists', `A list named ${name} already exists`, 'name');

export async function createList(db: Db, workspaceId: string, input: ListInput): Promise<ListRow> {
  const [row] = await db
    .insert(lists)
    .values({ workspaceId, name: input.name, description: input.description ?? null })
    .onConflictDoNothing()
    .returning();
  if (!row) throw exists(input.name);
  return row;
}

export async function getList(db: Db, workspaceId: string, listId: string): Promise<ListRow> {
  const [row] = await db
    .select()
    .from(lists)
    .where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, listId)));
  if (!row) throw new NotFound('List', listId);
  return row;
}

export async function countListMembers(db: Db, listId: string): Promise<number> {
  const [{ n }] = await db.select({ n: count() }).from(listMembers).where(eq(listMembers.listId, listId));
  return Number(n);
}

export async function getListWithSize(db: Db, workspaceId: string, listId: string) {
  const list = await getList(db, workspaceId, listId);
  return { ...list, members: await countListMembers(db, listId) };
}

/** The workspace's lists by name, each with its member count. */
export async function listLists(db: Db, workspaceId: string) {
  const sizes = db
    .select({ listId: listMembers.listId, members: count().as('members') })
    .from(listMembers)
    .where(eq(listMembers.workspaceId, workspaceId))
    .groupBy(listMembers.listId)
    .as('sizes');
  const rows = await db
    .select({ list: lists, members: sizes.members })
    .from(lists)
    .leftJoin(sizes, eq(sizes.listId, lists.id))
    .where(eq(lists.workspaceId, workspaceId))
    .orderBy(asc(lists.name));
  return rows.map((r) => ({ ...r.list, members: Number(r.members ?? 0) }));
}

export async function updateList(db: Db, workspaceId: string, listId: string, input: Partial<ListInput>) {
  await getList(db, workspaceId, listId);
  try {
    const [row] = await db
      .update(lists)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      })
      .where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, listId)))
      .returning();
    return { ...row, members: await countListMembers(db, listId) };
  } catch (error) {
    if (pgErrorCode(error) === '23505') throw exists(input.name ?? '');
    throw error;
  }
}

/** Deletes a list and its memberships; returns the contacts that were in it. */
export async function deleteList(db: Db, workspaceId: string, listId: string): Promise<string[]> {
  await getList(db, workspaceId, listId);
  const members = await db
    .select({ id: listMembers.contactId })
    .from(listMembers)
    .where(eq(listMembers.listId, listId));
  await db.delete(lists).where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, listId)));
  return members.map((m) => m.id);
}

/** Every id must be a contact of this workspace, or nothing is written. */
async function checkContacts(db: Db, workspaceId: string, contactIds: string[]): Promise<void> {
  const unique = [...new Set(contactIds)];
  const found = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, unique)));
  const known = new Set(found.map((r) => r.id));
  const index = contactIds.findIndex((id) => !known.has(id));
  if (index >= 0) {
    throw new InvalidInput(
      'contact_not_found',
      `Contact ${contactIds[index]} does not exist`,
      `contactIds.${index}`,
    );
  }
}

/** Adds contacts to a list; returns those that were not in it yet. */
export async function addListMembers(
  db: Db,
  workspaceId: string,
  listId: string,
  contactIds: string[],
): Promise<string[]> {
  await getList(db, workspaceId, listId);
  await checkContacts(db, workspaceId, contactIds);
  const added = await db
    .insert(listMembers)
    .values([...new Set(contactIds)].map((contactId) => ({ workspaceId, listId, contactId })))
    .onConflictDoNothing()
    .returning({ contactId: listMembers.contactId });
  return added.map((r) => r.contactId);
}

/** Removes contacts from a list; returns those that were in it. */
export async function removeListMembers(
  db: Db,
  workspaceId: string,
  listId: string,
  contactIds: string[],
): Promise<string[]> {
  await getList(db, workspaceId, listId);
  const removed = await db
    .delete(listMembers)
    .where(and(eq(listMembers.listId, listId), inArray(listMembers.contactId, [...new Set(contactIds)])))
    .returning({ contactId: listMembers.contactId });
  return removed.map((r) => r.contactId);
}

/** The lists a contact is in. */
export async function listsOfContact(db: Db, workspaceId: string, contactId: string) {
  return db
    .select({ id: lists.id, name: lists.name, addedAt: listMembers.addedAt })
    .from(listMembers)
    .innerJoin(lists, eq(lists.id, listMembers.listId))
    .where(and(eq(listMembers.workspaceId, workspaceId), eq(listMembers.contactId, contactId)))
    .orderBy(asc(lists.name));
}

export async function listMemberIds(db: Db, listId: string): Promise<string[]> {
  const rows = await db
    .select({ id: listMembers.contactId })
    .from(listMembers)
    .where(eq(listMembers.listId, listId));
  return rows.map((r) => r.id);
}
