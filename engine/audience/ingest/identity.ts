import { and, asc, eq, isNull } from 'drizzle-orm';
import { contacts } from '../../../db/schema';
import { mergeContacts } from './merge-contacts';
import type { Tx } from './tx';

export interface Identity {
  userId?: string;
  anonymousId?: string;
  email?: string;
}

export interface ResolvedContact {
  contactId: string;
  /** Running workflows of a contact merged away here, to end after commit. */
  exitWorkflowIds: string[];
}

type Row = { id: string; externalId: string | null; anonymousId: string | null };
const columns = { id: contacts.id, externalId: contacts.externalId, anonymousId: contacts.anonymousId };

async function byExternalId(tx: Tx, workspaceId: string, value: string): Promise<Row | undefined> {
  const [row] = await tx
    .select(columns)
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.externalId, value)));
  return row;
}

async function byAnonymousId(tx: Tx, workspaceId: string, value: string): Promise<Row | undefined> {
  const [row] = await tx
    .select(columns)
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.anonymousId, value)));
  return row;
}

async function insertContact(
  tx: Tx,
  values: { workspaceId: string; externalId?: string; anonymousId?: string; email?: string },
) {
  const [row] = await tx.insert(contacts).values(values).onConflictDoNothing().returning(columns);
  return row;
}

/**
 * Finds or creates the contact an event is about. `userId` wins; an anonymous contact seen
 * with that user id is claimed by it (first sighting) or merged into it (the user was known).
 * Concurrent creators meet on the unique indexes; the caller's transaction retry re-reads.
 */
export async function resolveContact(
  tx: Tx,
  workspaceId: string,
  identity: Identity,
): Promise<ResolvedContact> {
  const { userId, anonymousId } = identity;
  if (userId) {
    const known = await byExternalId(tx, workspaceId, userId);
    const anonymous = anonymousId ? await byAnonymousId(tx, workspaceId, anonymousId) : undefined;
    if (known) {
      if (anonymous && anonymous.id !== known.id && anonymous.externalId === null) {
        return {
          contactId: known.id,
          exitWorkflowIds: await mergeContacts(tx, workspaceId, anonymous.id, known.id),
        };
      }
      if (anonymousId && !anonymous && known.anonymousId === null) {
        await tx
          .update(contacts)
          .set({ anonymousId, updatedAt: new Date() })
          .where(eq(contacts.id, known.id));
      }
      return { contactId: known.id, exitWorkflowIds: [] };
    }
    if (anonymous && anonymous.externalId === null) {
      await tx
        .update(contacts)
        .set({ externalId: userId, updatedAt: new Date() })
        .where(and(eq(contacts.id, anonymous.id), isNull(contacts.externalId)));
      return { contactId: anonymous.id, exitWorkflowIds: [] };
    }
    const created = await insertContact(tx, {
      workspaceId,
      externalId: userId,
      anonymousId: anonymous ? undefined : anonymousId,
    });
    const row = created ?? (await byExternalId(tx, workspaceId, userId));
    if (!row) throw new Error(`contact ${userId} was neither created nor found`);
    return { contactId: row.id, exitWorkflowIds: [] };
  }
  if (anonymousId) {
    const row =
      (await byAnonymousId(tx, workspaceId, anonymousId)) ??
      (await insertContact(tx, { workspaceId, anonymousId })) ??
      (await byAnonymousId(tx, workspaceId, anonymousId));
    if (!row) throw new Error(`contact ${anonymousId} was neither created nor found`);
    return { contactId: row.id, exitWorkflowIds: [] };
  }
  if (identity.email) {
    const [row] = await tx
      .select(columns)
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.email, identity.email)))
      .orderBy(asc(contacts.createdAt))
      .limit(1);
    if (row) return { contactId: row.id, exitWorkflowIds: [] };
    const created = await insertContact(tx, { workspaceId, email: identity.email });
    return { contactId: created.id, exitWorkflowIds: [] };
  }
  throw new Error('an event needs userId, anonymousId or email');
}

/**
 * `alias`: `previousId` (an anonymous id or an earlier user id) becomes `userId`. The previous
 * contact's history merges into the user's; with no previous contact the id is remembered.
 */
export async function aliasContact(
  tx: Tx,
  workspaceId: string,
  userId: string,
  previousId: string,
): Promise<ResolvedContact> {
  const target = await resolveContact(tx, workspaceId, { userId });
  const previous =
    (await byAnonymousId(tx, workspaceId, previousId)) ?? (await byExternalId(tx, workspaceId, previousId));
  if (previous && previous.id !== target.contactId) {
    return {
      contactId: target.contactId,
      exitWorkflowIds: await mergeContacts(tx, workspaceId, previous.id, target.contactId),
    };
  }
  if (!previous) {
    await tx
      .update(contacts)
      .set({ anonymousId: previousId, updatedAt: new Date() })
      .where(and(eq(contacts.id, target.contactId), isNull(contacts.anonymousId)));
  }
  return target;
}
