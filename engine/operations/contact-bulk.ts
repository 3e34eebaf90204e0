import { z } from 'zod';
import { updateContact as changeContact } from '../audience/contacts/contacts';
import { contactFilterSchema } from '../audience/contacts/search';
import { addListMembers, getList, removeListMembers } from '../audience/lists/lists';
import { getJourney } from '../automation/journeys/journeys';
import { enrollContact, type TemporalDeps } from '../automation/runs/enroll';
import { Conflict } from '../errors';
import { deleteContact } from './erase-contact';
import { contactChanged } from './segment-membership';

const tags = z.array(z.string().min(1).max(100)).min(1).max(50);

export const bulkActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tag'), tags }),
  z.object({ type: z.literal('untag'), tags }),
  z.object({ type: z.literal('add-to-list'), listId: z.uuid() }),
  z.object({ type: z.literal('remove-from-list'), listId: z.uuid() }),
  z.object({ type: z.literal('enroll'), journeyId: z.uuid() }),
  z.object({ type: z.literal('delete') }),
]);

export type BulkAction = z.infer<typeof bulkActionSchema>;

export const bulkSelectionSchema = z
  .object({
    ids: z.array(z.uuid()).min(1).max(10_000).optional().describe('These contacts'),
    filter: contactFilterSchema.optional().describe('Every contact the table filter matches'),
  })
  .refine((s) => (s.ids ? 1 : 0) + (s.filter ? 1 : 0) === 1, {
    message: 'give either ids or filter',
    path: ['ids'],
  });

export type BulkSelection = z.infer<typeof bulkSelectionSchema>;

export const bulkRequestSchema = z.object({ action: bulkActionSchema, selection: bulkSelectionSchema });

/** Checks what the action refers to before the job starts, so a bad id is a 4xx, not a failed job. */
export async function checkBulkAction(deps: TemporalDeps, workspaceId: string, action: BulkAction) {
  if (action.type === 'add-to-list' || action.type === 'remove-from-list')
    await getList(deps.db, workspaceId, action.listId);
  if (action.type === 'enroll') {
    const journey = await getJourney(deps.db, workspaceId, action.journeyId);
    if (journey.status !== 'active')
      throw new Conflict(
        'journey_not_active',
        `Journey ${journey.id} is ${journey.status}; only active journeys enroll`,
        'action.journeyId',
      );
  }
}

/**
 * What one contact's action did: `changed`; `unchanged` (already enrolled, not in the list);
 * `held-out` (the journey put the contact in its control group: no run, by design).
 */
export type BulkOutcome = 'changed' | 'unchanged' | 'held-out';

/** Applies one action to one contact. */
export async function applyBulkAction(
  deps: TemporalDeps,
  workspaceId: string,
  contactId: string,
  action: BulkAction,
  jobId: string,
): Promise<BulkOutcome> {
  switch (action.type) {
    case 'tag':
    case 'untag':
      await changeContact(
        deps.db,
        workspaceId,
        contactId,
        action.type === 'tag' ? { addTags: action.tags } : { removeTags: action.tags },
      );
      await contactChanged(deps, workspaceId, contactId);
      return 'changed';
    case 'add-to-list':
    case 'remove-from-list': {
      const changed =
        action.type === 'add-to-list'
          ? await addListMembers(deps.db, workspaceId, action.listId, [contactId])
          : await removeListMembers(deps.db, workspaceId, action.listId, [contactId]);
      if (changed.length > 0) await contactChanged(deps, workspaceId, contactId);
      return changed.length > 0 ? 'changed' : 'unchanged';
    }
    case 'enroll': {
      const result = await enrollContact(deps, {
        workspaceId,
        journeyId: action.journeyId,
        contactId,
        // The marketer chose these contacts, whatever the journey's own trigger.
        force: true,
        trigger: {
          id: `bulk:${jobId}:${contactId}`,
          name: null,
          properties: { jobId },
          timestamp: new Date().toISOString(),
        },
      });
      if (result.enrolled) return 'changed';
      return result.heldOut ? 'held-out' : 'unchanged';
    }
    case 'delete':
      await deleteContact(deps, workspaceId, contactId);
      return 'changed';
  }
}
