import type { ContactRow } from '../audience/contacts/contact-store';
import {
  type ContactInput,
  type ContactUpdate,
  updateContact as changeContact,
  createContact as insertContact,
} from '../audience/contacts/contacts';
import type { TemporalDeps } from '../automation/runs/enroll';
import { contactChanged } from './segment-membership';

/** Creates a contact; segments it matches at once take it in and their journeys enroll it. */
export async function createContact(
  deps: TemporalDeps,
  workspaceId: string,
  input: ContactInput,
): Promise<ContactRow> {
  const contact = await insertContact(deps.db, workspaceId, input);
  await contactChanged(deps, workspaceId, contact.id);
  return contact;
}

/** Changes a contact (attributes merge); its segments are re-evaluated at once. */
export async function updateContact(
  deps: TemporalDeps,
  workspaceId: string,
  contactId: string,
  update: ContactUpdate,
): Promise<ContactRow> {
  const contact = await changeContact(deps.db, workspaceId, contactId, update);
  await contactChanged(deps, workspaceId, contact.id);
  return contact;
}
