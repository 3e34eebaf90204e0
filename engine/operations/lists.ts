import {
  addListMembers,
  countListMembers,
  createList,
  type ListInput,
  listMemberIds,
  deleteList as removeList,
  removeListMembers,
  updateList as renameList,
} from '../audience/lists/lists';
import type { TemporalDeps } from '../automation/runs/enroll';
import { contactChanged } from './segment-membership';

export { createList };

async function changed(deps: TemporalDeps, workspaceId: string, contactIds: string[]) {
  for (const contactId of contactIds) await contactChanged(deps, workspaceId, contactId);
}

/** Adds contacts to a list; segments with list rules take them in, and their journeys enroll them. */
export async function addToList(
  deps: TemporalDeps,
  workspaceId: string,
  listId: string,
  contactIds: string[],
) {
  const added = await addListMembers(deps.db, workspaceId, listId, contactIds);
  await changed(deps, workspaceId, added);
  return { changed: added.length, members: await countListMembers(deps.db, listId) };
}

export async function removeFromList(
  deps: TemporalDeps,
  workspaceId: string,
  listId: string,
  contactIds: string[],
) {
  const removed = await removeListMembers(deps.db, workspaceId, listId, contactIds);
  await changed(deps, workspaceId, removed);
  return { changed: removed.length, members: await countListMembers(deps.db, listId) };
}

/** Renaming changes what segment rules naming the old name match: members are re-evaluated. */
export async function updateList(
  deps: TemporalDeps,
  workspaceId: string,
  listId: string,
  input: Partial<ListInput>,
) {
  const list = await renameList(deps.db, workspaceId, listId, input);
  if (input.name !== undefined) {
    await changed(deps, workspaceId, await listMemberIds(deps.db, listId));
  }
  return list;
}

export async function deleteList(deps: TemporalDeps, workspaceId: string, listId: string) {
  const former = await removeList(deps.db, workspaceId, listId);
  await changed(deps, workspaceId, former);
}
