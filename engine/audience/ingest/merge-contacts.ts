import { and, eq, sql } from 'drizzle-orm';
import { contacts, events, journeyRuns, listMembers, messages, outbox } from '../../../db/schema';
import type { Tx } from './tx';

/**
 * Merges contact `sourceId` into `targetId` (an alias, or an anonymous visitor who identified):
 * events, messages, runs, lists and undelivered outbox work move over; the target's own values
 * win, the source fills the gaps; the source is deleted. Returns the source's running runs:
 * their workflows carry the deleted contact's id, so the caller ends them once committed.
 */
export async function mergeContacts(
  tx: Tx,
  workspaceId: string,
  sourceId: string,
  targetId: string,
): Promise<string[]> {
  const [source] = await tx
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, sourceId)))
    .for('update');
  if (!source) return [];
  // The anonymous id moves to the target, so it must leave the source first (unique index).
  await tx.update(contacts).set({ anonymousId: null }).where(eq(contacts.id, sourceId));
  await tx
    .update(contacts)
    .set({
      anonymousId: sql`coalesce(${contacts.anonymousId}, ${source.anonymousId})`,
      email: sql`coalesce(${contacts.email}, ${source.email})`,
      phone: sql`coalesce(${contacts.phone}, ${source.phone})`,
      timezone: sql`coalesce(${contacts.timezone}, ${source.timezone})`,
      attributes: sql`${JSON.stringify(source.attributes)}::jsonb || ${contacts.attributes}`,
      traitTimes: sql`${JSON.stringify(source.traitTimes)}::jsonb || ${contacts.traitTimes}`,
      subscriptions: sql`${JSON.stringify(source.subscriptions)}::jsonb || ${contacts.subscriptions}`,
      tags: sql`array(select distinct t from unnest(${contacts.tags} || ${sql.param(source.tags)}::text[]) as t order by t)`,
      updatedAt: new Date(),
    })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, targetId)));

  await tx
    .update(events)
    .set({ contactId: targetId })
    .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, sourceId)));
  await tx
    .update(messages)
    .set({ contactId: targetId })
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.contactId, sourceId)));
  // Only the work still owed (the partial index's rows, not the whole delivered history): the
  // outbox has no foreign key, and delivered rows keep the id of the contact they were for.
  await tx
    .update(outbox)
    .set({ contactId: targetId })
    .where(and(eq(outbox.contactId, sourceId), sql`${outbox.status} = 'pending'`));
  await tx.execute(sql`
    insert into ${listMembers} (workspace_id, list_id, contact_id, created_at)
    select workspace_id, list_id, ${targetId}, created_at from ${listMembers} where contact_id = ${sourceId}
    on conflict do nothing`);

  const running = await tx
    .select({ workflowId: journeyRuns.workflowId })
    .from(journeyRuns)
    .where(and(eq(journeyRuns.contactId, sourceId), eq(journeyRuns.status, 'running')));
  // Entries are numbered after the target's own, so (journey, contact, entry) stays unique.
  await tx.execute(sql`
    update ${journeyRuns} r set contact_id = ${targetId},
      entry = r.entry + coalesce(
        (select max(t.entry) from ${journeyRuns} t where t.journey_id = r.journey_id and t.contact_id = ${targetId}), 0)
    where r.contact_id = ${sourceId} and r.workspace_id = ${workspaceId}`);
  await tx.delete(contacts).where(eq(contacts.id, sourceId));
  return running.map((r) => r.workflowId);
}
